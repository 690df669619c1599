"""Rewrite the flag table of docs/configuration.md from the settings' own definitions.

    .venv/bin/python scripts/config_reference.py
"""

from __future__ import annotations

from pathlib import Path

from realmgate.settings import reference_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
BEGIN, END = "<!-- flags:begin -->\n", "<!-- flags:end -->"

text = DOC.read_text(encoding="utf-8")
head, _, rest = text.partition(BEGIN)
_, _, tail = rest.partition(END)
DOC.write_text(head + BEGIN + reference_table() + END + tail, encoding="utf-8")
