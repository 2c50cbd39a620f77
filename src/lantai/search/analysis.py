"""Text analysis shared by indexing and querying: folding, character grams and jieba words.

The same pipeline runs at index and at query time, so a query matches exactly when its
folded text occurs in the folded document:

1. ``fold``: NFKC (full-width → half-width), traditional → simplified by a character map
   built once from OpenCC's offline dictionary (``str.translate`` is ~100× faster than
   OpenCC's phrase converter and folding needs no phrase context), then case folding.
2. ``grams``: for each CJK run, every character and every adjacent pair, interleaved —
   character *i* at position 2i, the pair (i, i+1) at 2i+1 — so one field answers
   one-character queries (a unigram term), two-character queries (a bigram term) and
   longer ones (a phrase of bigrams at offsets 1, 3, 5 …) with exact substring recall.
   Latin letters and digits become one lower-case token per run.
3. ``words``: jieba (jieba-rs) in search mode, HMM off, the same settings at index and
   query time, with the archives dictionary ``dict/archives.txt``; used for ranking only.

Bounds: text is cut at ``MAX_CHARS`` characters per field, Latin runs at ``MAX_LATIN``
characters, and jieba sees at most ``MAX_WORD_CHARS`` characters, so a megabyte without
spaces (or one character repeated three million times) indexes in bounded time and memory.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MAX_CHARS = 2_000_000
MAX_LATIN = 64
MAX_WORD_CHARS = 100_000

# CJK ideographs (basic, extension A, compatibility, extensions B–H in plane 2/3), kana,
# Hangul and the ideographic iteration mark: each character is a gram unit.
_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)", re.UNICODE)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")

DICT_PATH = Path(__file__).with_name("dict") / "archives.txt"


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Traditional → simplified, one character each, from OpenCC's shipped dictionaries."""
    import opencc

    base = Path(opencc.__file__).with_name("dictionary")

    def read(name: str) -> dict[str, str]:
        pairs: dict[str, str] = {}
        for line in (base / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 2 and len(parts[0]) == 1:
                target = parts[1].split(" ")[0]
                if len(target) == 1 and target != parts[0]:
                    pairs[parts[0]] = target
        return pairs

    t2s = read("TSCharacters.txt")
    table = {ord(k): v for k, v in t2s.items()}
    # Regional variants (台灣 偽, 香港 兌) go through standard traditional to simplified; a
    # variant whose standard form is not traditional (著 → 着) is left alone.
    for name in ("TWVariantsRev.txt", "HKVariantsRev.txt"):
        for variant, standard in read(name).items():
            if standard in t2s and ord(variant) not in table:
                table[ord(variant)] = t2s[standard]
    return table


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """Any character the fold table changes: most text has none, and a regex scan is far
    cheaper than ``str.translate`` with a dict."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_fold_table())) + "]")


def fold(text: str) -> str:
    """NFKC, traditional → simplified, case folding: the one normal form of indexed text."""
    text = text[:MAX_CHARS]
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _traditional().search(text):
        text = text.translate(_fold_table())
    return text.casefold()


def fold_char(ch: str) -> str:
    """``fold`` of one character (may be empty or longer), for offset-keeping highlights."""
    return unicodedata.normalize("NFKC", ch).translate(_fold_table()).casefold()


def gram_tokens(folded: str) -> Iterator[str]:
    """The interleaved unigram/bigram token stream of already-folded text (see module doc)."""
    for m in RUN.finditer(folded):
        run = m.group(1)
        if run is None:
            yield m.group(2)[:MAX_LATIN]
            continue
        # characters at even slots, pairs at odd slots, filled by slice assignment (C speed)
        out: list[str] = [""] * (2 * len(run) - 1)
        out[0::2] = run
        out[1::2] = map(str.__add__, run, run[1:])
        yield from out


def grams(text: str) -> str:
    """Whitespace-joined gram tokens of ``text`` (folded here)."""
    return " ".join(gram_tokens(fold(text)))


@dataclass(frozen=True)
class GramPhrase:
    """The terms a query string must match, each with its offset in the gram stream."""

    terms: tuple[tuple[int, str], ...]

    @property
    def is_single(self) -> bool:
        return len(self.terms) == 1


def gram_phrase(text: str) -> GramPhrase:
    """The smallest set of gram terms (with offsets) whose adjacency equals the substring.

    A CJK run of two or more characters needs only its bigrams (odd offsets); a single
    character needs its unigram; Latin runs are whole tokens. Whitespace
    between two CJK characters is dropped, so the quoted "会议 纪要" finds 会议纪要 (Chinese
    text has no spaces; a space in a query is the user's, not the document's).
    """
    terms: list[tuple[int, str]] = []
    pos = 0
    for m in RUN.finditer(_CJK_GAP.sub("", fold(text))):
        run = m.group(1)
        if run is None:
            terms.append((pos, m.group(2)[:MAX_LATIN]))
            pos += 1
            continue
        if len(run) == 1:
            terms.append((pos, run))
        else:
            terms.extend((pos + 2 * i + 1, run[i : i + 2]) for i in range(len(run) - 1))
        pos += 2 * len(run) - 1
    return GramPhrase(tuple(terms))


_jieba_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    """The segmenter, built once per process: jieba-rs (``rjieba``, jieba's dictionary and
    algorithm at ~15 M chars/s, which bulk indexing needs) plus the archives dictionary.
    It loads its dictionary from the wheel and writes no cache file."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import rjieba

            tok = rjieba.Jieba()
            for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if parts and not parts[0].startswith("#"):
                    freq = int(parts[1]) if len(parts) > 1 else None
                    tok.add_word(fold(parts[0]), freq, parts[2] if len(parts) > 2 else None)
            _tokenizer = tok
    return _tokenizer


_WORD = re.compile(rf"[^\W_]{{1,{MAX_LATIN}}}")


def word_tokens(folded: str) -> list[str]:
    """jieba search-mode words of folded text: CJK words and Latin runs, no punctuation."""
    # Joining and re-splitting on word characters drops punctuation tokens in one C pass.
    return _WORD.findall(" ".join(_jieba().cut_for_search(folded[:MAX_WORD_CHARS], False)))


def words(text: str) -> str:
    return " ".join(word_tokens(fold(text)))


@dataclass(frozen=True)
class Analyzed:
    grams: str
    words: str


def analyze(text: str, with_words: bool = True) -> Analyzed:
    """Both token streams of one field, folding once."""
    folded = fold(text)
    return Analyzed(
        grams=" ".join(gram_tokens(folded)),
        words=" ".join(word_tokens(folded)) if with_words else "",
    )
