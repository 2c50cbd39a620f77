"""Highlighted titles and snippets: the query's runs marked with <mark> in the original text.

Matching runs on folded text (the analyzer's normal form), character by character with a
map back to the original offsets, so 檔案 in a record is marked for the query 档案.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lantai.search.analysis import RUN, fold, fold_char
from lantai.search.query import Term

MAX_SCAN = 50_000


def needles(terms: list[Term]) -> list[str]:
    """The folded runs to mark, longest first (so 档案馆 wins over 档案)."""
    found = {m.group(0) for t in terms for m in RUN.finditer(fold(t.text))}
    return sorted(found, key=len, reverse=True)


def _fold_map(text: str) -> tuple[str, list[int]]:
    folded = fold(text)
    if len(folded) == len(text):  # the usual case: folding kept every character in place
        return folded, list(range(len(text)))
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = fold_char(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return "".join(parts), origin


def spans(text: str, marks: list[str]) -> list[tuple[int, int]]:
    """Merged [start, end) spans of the original text matching any needle."""
    text = text[:MAX_SCAN]
    folded, origin = _fold_map(text)
    found: list[tuple[int, int]] = []
    for needle in marks:
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            found.append((origin[start], origin[end - 1] + 1))
            start = folded.find(needle, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _render(text: str, marked: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in marked:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, marks: list[str]) -> SafeString:
    """The whole text, escaped, with every match in <mark>."""
    return mark_safe(_render(text, spans(text, marks), 0, len(text)))


def snippet(text: str, marks: list[str], width: int = 120) -> SafeString:
    """A window of about ``width`` characters around the first match (or the start)."""
    text = " ".join(text.split())
    marked = spans(text, marks)
    first = marked[0][0] if marked else 0
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    body = _render(text, marked, start, end)
    return mark_safe(("…" if start > 0 else "") + body + ("…" if end < len(text) else ""))
