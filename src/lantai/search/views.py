"""The staff search page: thin — parse the request, call ``queries.search``, render facets as
links that add (or remove) a filter, highlights and paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.core.errors import LantaiError
from lantai.search import queries

FACET_TITLES = {
    "fonds": _("Fonds"),
    "category": _("Category"),
    "year": _("Year"),
    "retention": _("Retention period"),
    "open_status": _("Open status"),
    "security_level": _("Security classification"),
}
SORT_TITLES = {
    "relevance": _("Relevance"),
    "-date": _("Newest first"),
    "date": _("Oldest first"),
    "code": _("Archival code"),
}
LIST_PARAMS = ("fonds", "category", "retention", "open_status", "security_level")
SCALAR_PARAMS = ("q", "sort", "year_from", "year_to", "date_from", "date_to")


def _params(request: HttpRequest) -> list[tuple[str, str]]:
    out = [(k, request.GET.get(k, "")) for k in SCALAR_PARAMS if request.GET.get(k)]
    out += [(k, v) for k in LIST_PARAMS for v in request.GET.getlist(k) if v]
    return out


def _url(params: list[tuple[str, str]]) -> str:
    return "?" + urlencode(params)


def filters_from(get: Any) -> Any:
    return queries.make_filters(
        fonds=get.getlist("fonds"),
        category=get.getlist("category"),
        retention=get.getlist("retention"),
        open_status=get.getlist("open_status"),
        security_level=get.getlist("security_level"),
        year_from=get.get("year_from"),
        year_to=get.get("year_to"),
        date_from=get.get("date_from"),
        date_to=get.get("date_to"),
    )


def _item_url(public_id: str) -> str | None:
    """The catalogue's item page when that app provides one."""
    try:
        return reverse("catalog:item", args=[public_id])
    except NoReverseMatch:
        return None


@login_required
def results(request: HttpRequest) -> HttpResponse:
    actor = Actor.for_user(request.user)  # type: ignore[arg-type]
    params = _params(request)
    context: dict[str, Any] = {
        "q": request.GET.get("q", ""),
        "sort": request.GET.get("sort", "relevance"),
        "sorts": SORT_TITLES,
        "active_module": "use",
        "base_params": urlencode([p for p in params if p[0] not in ("sort", "page")]),
    }
    status = 200
    raw_page = request.GET.get("page", "1")
    try:
        page = queries.search(
            actor,
            context["q"],
            filters_from(request.GET),
            sort=context["sort"],
            page=int(raw_page) if raw_page.isdigit() else 1,
        )
    except LantaiError as exc:
        context["error"] = exc
        status = exc.http_status
        return render(request, "search/results.html", context, status=status)
    facets = []
    for name, rows in page.facets.items():
        if not rows:
            continue
        entries = []
        for row in rows:
            value = str(row["value"])
            if name == "year":
                chosen = ("year_from", value) in params and ("year_to", value) in params
                rest = [p for p in params if p[0] not in ("year_from", "year_to", "page")]
                link = rest if chosen else [*rest, ("year_from", value), ("year_to", value)]
            else:
                chosen = (name, value) in params
                rest = [p for p in params if p != (name, value) and p[0] != "page"]
                link = rest if chosen else [*rest, (name, value)]
            entries.append({**row, "chosen": chosen, "url": _url(link)})
        facets.append({"name": name, "title": FACET_TITLES[name], "rows": entries})
    nav = [p for p in params if p[0] != "page"]
    links = {hit.item.pk: _item_url(str(hit.item.public_id)) for hit in page.hits}
    context.update(
        page=page,
        hits=[(hit, links[hit.item.pk]) for hit in page.hits],
        facets=facets,
        prev_url=_url([*nav, ("page", str(page.page - 1))]) if page.page > 1 else None,
        next_url=_url([*nav, ("page", str(page.page + 1))]) if page.page < page.pages else None,
    )
    return render(request, "search/results.html", context, status=status)
