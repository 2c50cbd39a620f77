"""Permission-checked catalogue reads: what an actor may see (data scope, clearance, open
status applied inside the query), single-record access that hides what is not visible,
list filters, keyset pagination and the fonds → category → year → retention tree.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from lantai.accounts.actor import Actor
from lantai.catalog.models import (
    ArchivalCodeRule,
    Category,
    Fonds,
    Item,
    MetadataScheme,
    OpenStatus,
    RetentionPeriod,
    Volume,
)
from lantai.core.errors import NotFound, PermissionDenied

READ_PERMISSIONS = ("catalog.view", "catalog.view_open")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def can_read_items(actor: Actor) -> bool:
    return any(actor.has(p) for p in READ_PERMISSIONS)


def _scoped(qs: QuerySet[Any], actor: Actor, institution_path: str) -> QuerySet[Any]:
    if actor.institution_scope is None:
        return qs
    return qs.filter(**{f"{institution_path}__in": list(actor.institution_scope)})


def _scoped_units(qs: QuerySet[Any], actor: Actor) -> QuerySet[Any]:
    """Items and volumes by fonds id (a subquery over the small fonds table), so that lists and
    counts over millions of rows need no join to fonds."""
    if actor.institution_scope is None:
        return qs
    return qs.filter(
        fonds__in=Fonds.objects.filter(institution_id__in=list(actor.institution_scope)).values("pk")
    )


def visible_items(actor: Actor) -> QuerySet[Item]:
    """Items the actor may read: not withdrawn, in a fonds of its institution scope, at or
    below its clearance; open items only for actors with just ``catalog.view_open``; nothing
    for actors without a catalogue read permission (the three administrators)."""
    if not can_read_items(actor):
        return Item.objects.none()
    qs = Item.objects.filter(deleted_at__isnull=True, security_level__lte=actor.clearance)
    qs = _scoped_units(qs, actor)
    if not actor.has("catalog.view"):
        qs = qs.filter(open_status=OpenStatus.OPEN)
    return qs


def visible_volumes(actor: Actor) -> QuerySet[Volume]:
    if not can_read_items(actor):
        return Volume.objects.none()
    qs = Volume.objects.filter(deleted_at__isnull=True, security_level__lte=actor.clearance)
    qs = _scoped_units(qs, actor)
    if not actor.has("catalog.view"):
        qs = qs.filter(open_status=OpenStatus.OPEN)
    return qs


def visible_fonds(actor: Actor) -> QuerySet[Fonds]:
    """Fonds in the actor's scope, for readers of the catalogue and for those who configure it."""
    if not (can_read_items(actor) or actor.has("catalog.configure") or actor.has("catalog.edit")):
        return Fonds.objects.none()
    return _scoped(Fonds.objects.select_related("institution"), actor, "institution_id")


def _uuid(public_id: object) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (ValueError, AttributeError, TypeError):
        raise NotFound() from None


def access_item(actor: Actor, public_id: object) -> Item:
    item = (
        visible_items(actor)
        .select_related("fonds", "category", "retention", "scheme", "volume")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def access_volume(actor: Actor, public_id: object) -> Volume:
    volume = (
        visible_volumes(actor)
        .select_related("fonds", "category", "retention")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if volume is None:
        raise NotFound()
    return volume


def access_fonds(actor: Actor, public_id: object) -> Fonds:
    fonds = visible_fonds(actor).filter(public_id=_uuid(public_id)).first()
    if fonds is None:
        raise NotFound()
    return fonds


def fonds_by_code(actor: Actor, code: str) -> Fonds:
    fonds = visible_fonds(actor).filter(code=code).first()
    if fonds is None:
        raise NotFound()
    return fonds


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def category_by_code(code: str) -> Category:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise NotFound()
    return category


def current_scheme(category: Category) -> MetadataScheme | None:
    return MetadataScheme.objects.filter(category=category, is_current=True).first()


def retention_periods() -> QuerySet[RetentionPeriod]:
    return RetentionPeriod.objects.all()


def code_rules(actor: Actor) -> QuerySet[ArchivalCodeRule]:
    """Default rules and the rules of fonds in the actor's scope."""
    qs = ArchivalCodeRule.objects.select_related("category", "fonds").order_by(
        "category__sort_order", "fonds__code", "level"
    )
    if actor.institution_scope is None:
        return qs
    return qs.filter(Q(fonds__isnull=True) | Q(fonds__institution_id__in=list(actor.institution_scope)))


# ---- list filters -------------------------------------------------------------------------

FILTER_KEYS = ("fonds", "category", "year", "retention", "open_status", "security_level", "q", "volume")


def filter_items(qs: QuerySet[Item], filters: Mapping[str, Any]) -> QuerySet[Item]:
    """Apply the list filters; unknown or empty keys are ignored, malformed numbers match nothing."""
    # Fonds, category and volume are resolved to their ids first (small tables): filtering by a
    # joined column makes the database read and sort every item of the fonds for each page.
    fonds = filters.get("fonds")
    if fonds:
        try:
            fonds_id = (
                Fonds.objects.filter(public_id=uuid.UUID(str(fonds))).values_list("id", flat=True).first()
            )
        except ValueError:
            fonds_id = Fonds.objects.filter(code=str(fonds)).values_list("id", flat=True).first()
        if fonds_id is None:
            return qs.none()
        qs = qs.filter(fonds_id=fonds_id)
    if filters.get("category"):
        category_id = (
            Category.objects.filter(code=str(filters["category"])).values_list("id", flat=True).first()
        )
        if category_id is None:
            return qs.none()
        qs = qs.filter(category_id=category_id)
    for key, column in (("year", "year"), ("security_level", "security_level")):
        value = filters.get(key)
        if value not in (None, ""):
            try:
                qs = qs.filter(**{column: int(str(value))})
            except ValueError:
                return qs.none()
    if filters.get("retention"):
        qs = qs.filter(retention__code=str(filters["retention"]))
    if filters.get("open_status"):
        qs = qs.filter(open_status=str(filters["open_status"]))
    volume = filters.get("volume")
    if volume:
        try:
            volume_id = (
                Volume.objects.filter(public_id=uuid.UUID(str(volume))).values_list("id", flat=True).first()
            )
        except ValueError:
            return qs.none()
        if volume_id is None:
            return qs.none()
        qs = qs.filter(volume_id=volume_id)
    text = str(filters.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(responsible_party__icontains=text)
            | Q(document_number__icontains=text)
            | Q(archival_code__icontains=text)
        )
    return qs


# ---- keyset pagination --------------------------------------------------------------------

SORTS = {"code": "archival_code", "title": "title_sort"}


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    sort: str
    size: int
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(key: str, pk: int) -> str:
    raw = json.dumps([key, pk], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    """None for a cursor that is not one of ours (the first page is shown instead)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, pk = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(key, str) or not isinstance(pk, int):
        return None
    return key, pk


def keyset_page(
    qs: QuerySet[Any], *, sort: str = "code", after: str | None = None, size: int = PAGE_SIZE
) -> Page:
    """One page ordered by (key, id), continuing after the cursor's row; never OFFSET, so the
    cost of a page does not grow with its depth."""
    sort = sort if sort in SORTS else "code"
    column = SORTS[sort]
    size = max(1, min(int(size), MAX_PAGE_SIZE))
    qs = qs.order_by(column, "id")
    position = decode_cursor(after) if after else None
    if position is not None:
        key, pk = position
        qs = qs.filter(Q(**{f"{column}__gt": key}) | Q(**{column: key, "id__gt": pk}))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, column), last.pk)
    return Page(rows=rows, next_cursor=next_cursor, sort=sort, size=size)


def item_page(
    actor: Actor,
    filters: Mapping[str, Any],
    *,
    sort: str = "code",
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    if not can_read_items(actor):
        raise PermissionDenied(details={"missing": ["catalog.view"]})
    qs = filter_items(visible_items(actor), filters).select_related("fonds", "category", "scheme", "volume")
    return keyset_page(qs, sort=sort, after=after, size=size)


# ---- the tree -----------------------------------------------------------------------------


@dataclass
class TreeNode:
    key: str
    label: str
    count: int = 0
    filters: dict[str, str] = field(default_factory=dict)
    children: list[TreeNode] = field(default_factory=list)


TREE_CACHE_SECONDS = 300.0
_tree_cache: dict[tuple[Any, ...], tuple[float, tuple[Any, ...], list[TreeNode]]] = {}


def _items_stamp() -> tuple[Any, ...]:
    """Changes whenever an item is added or changed (every write path sets ``updated_at``);
    two index look-ups, so checking it costs nothing next to recounting."""
    last_id = Item.objects.order_by("-id").values_list("id", flat=True).first()
    last_change = Item.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return (last_id, last_change)


def tree(actor: Actor) -> list[TreeNode]:
    """Fonds → category → year → retention with item counts over the visible items.

    One grouped query on foreign-key columns (names come from the small fonds and category
    tables). Its cost grows with the number of items (a scan: ~1 s at a million rows, see
    docs/performance.md), so the result is kept per visibility (scope, clearance, open-only)
    until an item is added or changed (``_items_stamp``) or ``TREE_CACHE_SECONDS`` pass."""
    key = (
        None if actor.institution_scope is None else tuple(sorted(actor.institution_scope)),
        actor.clearance,
        actor.has("catalog.view"),
        can_read_items(actor),
    )
    if not can_read_items(actor):
        return []
    now = time.monotonic()
    stamp = _items_stamp()
    hit = _tree_cache.get(key)
    if hit is not None and hit[1] == stamp and now - hit[0] < TREE_CACHE_SECONDS:
        return hit[2]
    nodes = _build_tree(actor)
    _tree_cache[key] = (now, stamp, nodes)
    return nodes


def _build_tree(actor: Actor) -> list[TreeNode]:
    rows = list(
        visible_items(actor)
        .order_by()
        .values("fonds_id", "category_id", "year", "retention_id")
        .annotate(n=Count("id"))
    )
    fonds_names = {f.pk: (f.code, f.name) for f in Fonds.objects.filter(pk__in={r["fonds_id"] for r in rows})}
    category_names = {c.pk: (c.code, c.name, c.sort_order) for c in Category.objects.all()}
    rows.sort(
        key=lambda r: (
            fonds_names[r["fonds_id"]][0],
            category_names[r["category_id"]][2],
            category_names[r["category_id"]][0],
            -(r["year"] or 0),
            str(r["retention_id"]),
        )
    )
    fonds_nodes: dict[str, TreeNode] = {}
    for row in rows:
        f_code, f_name = fonds_names[row["fonds_id"]]
        f_node = fonds_nodes.get(f_code)
        if f_node is None:
            f_node = TreeNode(f_code, f"{f_code} {f_name}", filters={"fonds": f_code})
            fonds_nodes[f_code] = f_node
        f_node.count += row["n"]
        c_code, c_name, _order = category_names[row["category_id"]]
        c_node = _child(f_node, c_code, f"{c_code} {c_name}", {"category": c_code})
        c_node.count += row["n"]
        year = "" if row["year"] is None else str(row["year"])
        y_node = _child(c_node, year, year or "—", {"year": year})
        y_node.count += row["n"]
        r_code = str(row["retention_id"])
        r_node = _child(y_node, r_code, r_code, {"retention": r_code})
        r_node.count += row["n"]
    return list(fonds_nodes.values())


def _child(parent: TreeNode, key: str, label: str, filters: dict[str, str]) -> TreeNode:
    for child in parent.children:
        if child.key == key:
            return child
    node = TreeNode(key, label, filters={**parent.filters, **filters})
    parent.children.append(node)
    return node
