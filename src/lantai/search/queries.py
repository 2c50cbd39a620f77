"""Permission-checked search: the actor's scope goes into the engine query, hits come back
hydrated from the catalogue with highlights and labelled facets.

Scope (applied inside the query by every backend): fonds whose institution the actor may
reach, ``security_level <= clearance``, ``open_status == "open"`` for actors who may only
see open records, and the items changed since indexing that the actor may no longer see.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.accounts.models import SecurityLevel
from lantai.catalog.models import Category, Fonds, Item, OpenStatus, RetentionPeriod
from lantai.core.errors import ValidationFailed
from lantai.search.backends import get_backend
from lantai.search.backends.base import FACETS, SORTS, Filters, Scope, SearchRequest
from lantai.search.highlight import highlight, needles, snippet
from lantai.search.indexing import documents_for
from lantai.search.models import StaleItem
from lantai.search.query import parse, terms_of

MAX_PER_PAGE = 100
MAX_OFFSET = 10_000


class FilterInvalid(ValidationFailed):
    code = "search.filter_invalid"
    default_message = _("The search filter %(name)s is not valid: %(value)s")


def _allowed_fonds(actor: Actor) -> frozenset[int] | None:
    if actor.institution_scope is None:
        return None
    return frozenset(
        Fonds.objects.filter(institution_id__in=actor.institution_scope).values_list("id", flat=True)
    )


def visible_filter(actor: Actor, fonds_ids: frozenset[int] | None) -> Q:
    """The catalogue-side form of the scope, for the few stale items."""
    if not (actor.has("catalog.view") or actor.has("catalog.view_open")):
        return Q(pk__in=[])
    q = Q(deleted_at__isnull=True, security_level__lte=actor.clearance)
    if fonds_ids is not None:
        q &= Q(fonds_id__in=fonds_ids)
    if not actor.has("catalog.view"):
        q &= Q(open_status=OpenStatus.OPEN)
    return q


def scope_for(actor: Actor) -> Scope:
    """The actor's search scope; raises permission_denied without ``search.use``."""
    actor.require("search.use")
    if not (actor.has("catalog.view") or actor.has("catalog.view_open")):
        return Scope(fonds_ids=frozenset(), max_security=-1, open_only=True)
    fonds_ids = _allowed_fonds(actor)
    # One query over the (few) stale rows, each checked by primary key; no id list is sent.
    visible = Item.objects.filter(visible_filter(actor, fonds_ids), pk=OuterRef("item_id"))
    exclude = frozenset(
        StaleItem.objects.filter(~Exists(visible)).values_list("item_id", flat=True).distinct()
    )
    return Scope(
        fonds_ids=fonds_ids,
        max_security=actor.clearance,
        open_only=not actor.has("catalog.view"),
        exclude_item_ids=exclude,
    )


@dataclass
class SearchHit:
    item: Item
    page: int
    score: float
    title: SafeString
    snippet: SafeString


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_OFFSET) // self.per_page))


def _ints(name: str, values: list[str]) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in values if str(v).strip())
    except ValueError as exc:
        raise FilterInvalid(name=name, value=", ".join(values)) from exc


def _int(name: str, value: str | int | None) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise FilterInvalid(name=name, value=str(value)) from None


def _date(name: str, value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(datetime.date.fromisoformat(value.strip()).strftime("%Y%m%d"))
    except ValueError:
        digits = value.strip()
        if len(digits) == 8 and digits.isdigit():
            return int(digits)
        raise FilterInvalid(name=name, value=value) from None


def make_filters(
    *,
    fonds: list[str] | None = None,
    category: list[str] | None = None,
    retention: list[str] | None = None,
    open_status: list[str] | None = None,
    security_level: list[str] | None = None,
    year_from: str | int | None = None,
    year_to: str | int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> Filters:
    """Filters from request values: fonds by code, the rest by their codes."""
    fonds_ids: tuple[int, ...] = ()
    if fonds:
        codes = [f for f in fonds if f]
        fonds_ids = tuple(Fonds.objects.filter(code__in=codes).values_list("id", flat=True)) or (-1,)
    for name, values, allowed in (
        ("open_status", open_status or [], set(OpenStatus.values)),
        ("security_level", security_level or [], {str(v) for v in SecurityLevel.values}),
    ):
        bad = [v for v in values if v and v not in allowed]
        if bad:
            raise FilterInvalid(name=name, value=", ".join(bad))
    return Filters(
        fonds_ids=fonds_ids,
        categories=tuple(c for c in category or [] if c),
        retentions=tuple(r for r in retention or [] if r),
        open_statuses=tuple(o for o in open_status or [] if o),
        security_levels=_ints("security_level", security_level or []),
        year_from=_int("year_from", year_from),
        year_to=_int("year_to", year_to),
        date_from=_date("date_from", date_from),
        date_to=_date("date_to", date_to),
    )


_code_names_cache: tuple[float, dict[str, dict[str, str]]] = (0.0, {})


def _code_names() -> dict[str, dict[str, str]]:
    """Names of categories and retention periods: small code tables read on every search, so
    kept for a minute (an edit shows in facet labels within that time)."""
    global _code_names_cache
    now = time.monotonic()
    if now - _code_names_cache[0] > 60:
        _code_names_cache = (
            now,
            {
                "category": dict(Category.objects.values_list("code", "name")),
                "retention": dict(RetentionPeriod.objects.values_list("code", "name")),
            },
        )
    return _code_names_cache[1]


def _labels(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[dict[str, Any]]]:
    names: dict[str, dict[str, str]] = {
        "open_status": {k: str(v) for k, v in OpenStatus.choices},
        "security_level": {str(k): str(v) for k, v in SecurityLevel.choices},
    }
    codes: dict[str, str] = {}
    if facets.get("fonds"):
        ids = [int(k) for k, _ in facets["fonds"]]
        found = list(Fonds.objects.filter(pk__in=ids).only("pk", "code", "name"))
        names["fonds"] = {str(f.pk): f"{f.code} {f.name}" for f in found}
        codes = {str(f.pk): f.code for f in found}
    names.update(_code_names())
    out: dict[str, list[dict[str, Any]]] = {}
    for facet in FACETS:
        rows = []
        for key, count in facets.get(facet, []):
            value = codes.get(key, key) if facet == "fonds" else key
            rows.append({"value": value, "label": names.get(facet, {}).get(key, key), "count": count})
        if facet == "year":
            rows.sort(key=lambda r: str(r["value"]), reverse=True)
        out[facet] = rows
    return out


def search(
    actor: Actor,
    q: str,
    filters: Filters | None = None,
    *,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
) -> SearchPage:
    """One page of hits the actor may see, newest index state, with highlights and facets."""
    scope = scope_for(actor)
    node = parse(q)
    if sort not in SORTS:
        raise FilterInvalid(name="sort", value=sort)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    offset = min((page - 1) * per_page, MAX_OFFSET)
    request = SearchRequest(
        query=node,
        scope=scope,
        filters=filters or Filters(),
        sort=sort,
        offset=offset,
        limit=per_page,
        facets=facets,
    )
    result = get_backend().search(request)
    items = _items({h.item_id for h in result.hits})
    marks = needles(terms_of(node))
    bodies = {d.item_id: d.body for d in documents_for(list(items.values()))} if marks else {}
    hits = []
    for h in result.hits:
        item = items.get(h.item_id)
        if item is None:  # deleted between the query and this read
            continue
        body = bodies.get(item.pk, "") or item.notes
        hits.append(
            SearchHit(
                item=item,
                page=h.page,
                score=h.score,
                title=highlight(item.title, marks),
                snippet=snippet(body, marks),
            )
        )
    return SearchPage(
        query=q,
        total=result.total,
        page=page,
        per_page=per_page,
        hits=hits,
        facets=_labels(result.facets) if facets else {},
    )


def _items(ids: set[int]) -> dict[int, Item]:
    qs: QuerySet[Item] = Item.objects.filter(pk__in=ids).select_related("fonds", "category", "retention")
    return {i.pk: i for i in qs}
