"""Cell values bound for spreadsheets (.xlsx, .csv) made safe against formula injection.

Excel, WPS and LibreOffice treat a cell whose text starts with ``=``, ``+``, ``-`` or ``@``
(and, in CSV, a leading tab or carriage return) as a formula: a title such as
``=HYPERLINK("http://…")`` in an export would run when an archivist opens the file. Every
exporter passes its text values through ``safe_cell``; numbers and dates pass unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> Any:
    """The value, or for text that a spreadsheet would read as a formula, the text behind a
    leading apostrophe (shown as typed, never evaluated). Non-text values are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
