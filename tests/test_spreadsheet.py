"""Formula injection: text that a spreadsheet would evaluate is neutralised, everything else kept."""

from datetime import date

from lantai.core.spreadsheet import safe_cell, safe_row


def test_formula_starts_are_neutralised():
    for text in ("=1+1", "+86 123", "-cmd", "@SUM(A1)", "\tx", "\rx", "＝1"):
        assert safe_cell(text) == "'" + text


def test_plain_values_pass_unchanged():
    assert safe_cell("关于印发…的通知") == "关于印发…的通知"
    assert safe_cell(-5) == -5
    assert safe_cell(date(2025, 1, 2)) == date(2025, 1, 2)
    assert safe_cell(None) is None
    assert safe_row(["a", "=b", 3]) == ["a", "'=b", 3]
