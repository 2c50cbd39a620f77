"""The search language: words, "phrases", AND/OR/NOT, -word, (groups) and field:value.

Parsed once into a small tree that every backend translates; nothing here knows an engine.
Adjacent terms are ANDed. Chinese has no spaces, so an unquoted run such as 档案管理 is
already an exact substring; quotes only matter to keep spaces or operators as text.
Field names may be Chinese or English: 题名/title, 责任者/responsible, 文号/docno, 档号/code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lantai.core.errors import ValidationFailed
from lantai.search.analysis import GramPhrase, gram_phrase

FIELDS: dict[str, str] = {
    "题名": "title",
    "title": "title",
    "责任者": "responsible",
    "responsible": "responsible",
    "author": "responsible",
    "文号": "docno",
    "docno": "docno",
    "档号": "code",
    "code": "code",
}
OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "与": "AND", "或": "OR", "非": "NOT"}
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}


class QueryInvalid(ValidationFailed):
    code = "search.query_invalid"
    default_message = _("The search query is not valid: %(reason)s")


@dataclass(frozen=True)
class Term:
    text: str
    field: str | None  # None: every text field
    phrase: GramPhrase


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | And | Or | Not


def _lex(text: str) -> list[tuple[str, str]]:
    """Tokens as (kind, value): kind is "(" ")" "op" "term" "quoted" or "field"."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch))
            i += 1
        elif ch in _QUOTES:
            end = text.find(_QUOTES[ch], i + 1)
            end = n if end < 0 else end  # an unclosed quote runs to the end
            out.append(("quoted", text[i + 1 : end]))
            i = end + 1
        elif ch == "-" and (i == 0 or text[i - 1] in " (") and i + 1 < n and not text[i + 1].isspace():
            out.append(("op", "NOT"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "()" and text[j] not in _QUOTES:
                if text[j] == ":" and text[i:j] in FIELDS:
                    break
                j += 1
            word = text[i:j]
            if j < n and text[j] == ":" and word in FIELDS:
                out.append(("field", FIELDS[word]))
                j += 1
            elif word in OPERATORS:
                out.append(("op", OPERATORS[word]))
            else:
                out.append(("term", word))
            i = j
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse_or(self) -> Node | None:
        parts = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.take()
            parts.append(self.parse_and())
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        while (tok := self.peek()) is not None and tok != (")", ")") and tok != ("op", "OR"):
            if tok == ("op", "AND"):
                self.take()
                continue
            node = self.parse_unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node | None:
        tok = self.take()
        if tok == ("op", "NOT"):
            if self.peek() is None:
                raise QueryInvalid(reason=_("NOT needs something after it"))
            child = self.parse_unary()
            return Not(child) if child is not None else None
        if tok[0] == "(":
            inner = self.parse_or()
            if self.peek() != (")", ")"):
                raise QueryInvalid(reason=_("a bracket is not closed"))
            self.take()
            return inner
        if tok[0] == "field":
            nxt = self.peek()
            if nxt is None or nxt[0] not in ("term", "quoted"):
                raise QueryInvalid(reason=_("a field name needs a value after the colon"))
            return _term(self.take()[1], tok[1])
        if tok[0] in ("term", "quoted"):
            return _term(tok[1], None)
        if tok[0] == "op":  # a stray AND/OR where a term belongs
            return None
        raise QueryInvalid(reason=_("unexpected closing bracket"))


def _term(text: str, field: str | None) -> Term | None:
    phrase = gram_phrase(text)
    if not phrase.terms:  # punctuation only: nothing to match
        return None
    return Term(text=text, field=field, phrase=phrase)


def parse(text: str) -> Node | None:
    """The query tree, or None for an empty query (every visible record)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if len(text) > 1000:
        raise QueryInvalid(reason=_("longer than 1000 characters"))
    parser = _Parser(_lex(text))
    node = parser.parse_or()
    if parser.peek() is not None:
        raise QueryInvalid(reason=_("unexpected closing bracket"))
    return node


def terms_of(node: Node | None) -> list[Term]:
    """Positive terms (not under NOT), for highlighting."""
    if node is None:
        return []
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for c in node.children for t in terms_of(c)]


def is_negative(node: Node) -> bool:
    """True when the node matches only by exclusion (NOT x, or an AND of such)."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(is_negative(c) for c in node.children)
    return False
