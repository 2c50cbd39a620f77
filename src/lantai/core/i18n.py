"""Chinese-first text helpers: NFC file names and pinyin sort keys."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def nfc(text: str) -> str:
    """Original Unicode, normalised to NFC; never transliterated."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    """A sort key that orders Chinese text by Hanyu Pinyin (toneless, then tone), Latin as is."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, errors="default")
    return " ".join(s.lower() for s in syllables)
