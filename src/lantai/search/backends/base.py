"""The one search-backend Protocol and the value types every backend speaks.

A search document is one page of one item: page 0 carries the catalogue description
(title, responsible party, document number, archival code, notes and scheme fields); pages
1…n will carry OCR text from digitization, so a hit names the page it was found on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from lantai.search.query import Node

TEXT_FIELDS = ("title", "responsible", "docno", "code", "body")
FACETS = ("fonds", "category", "year", "retention", "open_status", "security_level")
SORTS = ("relevance", "date", "-date", "code")


@dataclass(frozen=True)
class SearchDoc:
    item_id: int
    page: int
    fonds_id: int
    category: str
    year: int | None
    retention: str
    open_status: str
    security_level: int
    date: int | None  # YYYYMMDD
    archival_code: str  # searched as the "code" text field and used for sorting
    title: str = ""
    responsible: str = ""
    docno: str = ""
    body: str = ""


@dataclass(frozen=True)
class Scope:
    """What the actor may see, applied inside every query (never to results afterwards)."""

    fonds_ids: frozenset[int] | None  # None: every fonds
    max_security: int
    open_only: bool
    exclude_item_ids: frozenset[int] = frozenset()  # changed since indexed and no longer visible


@dataclass(frozen=True)
class Filters:
    fonds_ids: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    retentions: tuple[str, ...] = ()
    open_statuses: tuple[str, ...] = ()
    security_levels: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    date_from: int | None = None  # YYYYMMDD
    date_to: int | None = None


@dataclass(frozen=True)
class SearchRequest:
    query: Node | None
    scope: Scope
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    facets: bool = True


@dataclass(frozen=True)
class Hit:
    item_id: int
    page: int
    score: float


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # value → count, by count


class SearchBackend(Protocol):
    name: str

    def replace(self, item_ids: Sequence[int], docs: Sequence[SearchDoc]) -> None:
        """Remove every document of ``item_ids`` and add ``docs`` (all of them for those items)."""

    def rebuild(self, batches: Iterable[Sequence[SearchDoc]]) -> int:
        """Replace the whole index with these documents in one swap (readers see the old index
        until it is done); returns the number of documents."""

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def search(self, request: SearchRequest) -> SearchResult: ...
