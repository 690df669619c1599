"""The per-file count table both compatibility runners print (python-keycloak, the admin client).

Kept apart from the runners so they print the same layout: one row per test file, one column
per outcome, and a total row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence


def print_table(per_file: Mapping[str, Counter[str]], columns: Sequence[str], width: int = 36) -> None:
    """Print ``per_file`` (file name -> outcome counts) with ``columns`` in that order, then the sums."""
    print(f"\n{'file':<{width}}" + "".join(f"{c:>9}" for c in columns))
    total: Counter[str] = Counter()
    for name in sorted(per_file):
        total.update(per_file[name])
        print(f"{name:<{width}}" + "".join(f"{per_file[name][c]:>9}" for c in columns))
    print(f"{'total':<{width}}" + "".join(f"{total[c]:>9}" for c in columns))
