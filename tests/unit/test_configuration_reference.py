"""docs/configuration.md lists exactly the flags the server has (made from SERVER_FLAGS)."""

from __future__ import annotations

from pathlib import Path

from realmgate.settings import reference_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_flag_table_is_the_one_the_settings_make() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.partition("<!-- flags:begin -->\n")[2].partition("<!-- flags:end -->")[0]
    assert block == reference_table(), "run: .venv/bin/python scripts/config_reference.py"
