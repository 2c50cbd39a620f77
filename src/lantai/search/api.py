"""GET /api/v1/search: the search as JSON (thin: parse, call ``queries.search``, shape)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from lantai.accounts.api import actor_of
from lantai.search import queries

router = Router(tags=["search"])


class HitOut(Schema):
    id: str
    page: int
    title: str
    title_html: str
    snippet_html: str
    archival_code: str
    fonds: str
    category: str
    year: int | None
    date: str | None
    responsible_party: str
    score: float


class FacetValue(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    total: int
    page: int
    per_page: int
    pages: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValue]]


class SearchParams(Schema):
    q: str = ""
    fonds: list[str] = []
    category: list[str] = []
    retention: list[str] = []
    open_status: list[str] = []
    security_level: list[str] = []
    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True


@router.get(
    "",
    response=SearchOut,
    summary="Full-text search of the records the caller may see (permission scope applied in the query)",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    actor = actor_of(request)
    filters = queries.make_filters(
        fonds=params.fonds,
        category=params.category,
        retention=params.retention,
        open_status=params.open_status,
        security_level=params.security_level,
        year_from=params.year_from,
        year_to=params.year_to,
        date_from=params.date_from,
        date_to=params.date_to,
    )
    result = queries.search(
        actor,
        params.q,
        filters,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        facets=params.facets,
    )
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "hits": [
            {
                "id": str(h.item.public_id),
                "page": h.page,
                "title": h.item.title,
                "title_html": str(h.title),
                "snippet_html": str(h.snippet),
                "archival_code": h.item.archival_code,
                "fonds": h.item.fonds.code,
                "category": h.item.category.code,
                "year": h.item.year,
                "date": h.item.date.isoformat() if h.item.date else None,
                "responsible_party": h.item.responsible_party,
                "score": h.score,
            }
            for h in result.hits
        ],
        "facets": result.facets,
    }
