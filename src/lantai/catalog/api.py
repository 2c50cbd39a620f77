"""The catalogue API under /api/v1/catalogue/: fonds, categories and schemes, items (keyset
list, get, create, patch, delete, move), volumes, 档号 rules and their preview.

Thin: every route resolves the actor, calls ``queries`` or ``services`` and shapes the
answer; permissions, data scope and validation live below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from lantai.accounts.api import actor_of
from lantai.accounts.models import Institution
from lantai.catalog import codes, queries, services, validation
from lantai.catalog.errors import ArchivalCodeIncomplete, CodeRuleInvalid
from lantai.catalog.models import ArchivalCodeRule, Category, Fonds, Item, MetadataScheme, Volume
from lantai.catalog.seeds import OPEN_STATUS_NAMES, SECURITY_LEVEL_NAMES
from lantai.core.errors import NotFound

router = Router(tags=["catalogue"])


# ---- schemas ------------------------------------------------------------------------------


class FondsOut(Schema):
    id: UUID
    code: str
    name: str
    institution: str
    history: str
    start_year: int | None
    end_year: int | None
    is_active: bool


class FondsIn(Schema):
    code: str
    name: str
    institution: str  # institution code
    history: str = ""
    start_year: int | None = None
    end_year: int | None = None


class FondsPatch(Schema):
    name: str | None = None
    history: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    is_active: bool | None = None


class FieldOut(Schema):
    code: str
    name: str
    name_en: str
    m_number: str
    data_type: str
    required: bool
    max_length: int | None
    choices: list[str]
    pattern: str
    is_core: bool
    aliases: list[str]
    help_text: str


class SchemeOut(Schema):
    id: int
    category: str
    version: int
    name: str
    is_current: bool
    fields: list[FieldOut]


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    arrangement: str
    uses_projects: bool
    is_active: bool
    scheme_version: int | None


class RetentionOut(Schema):
    code: str
    name: str
    years: int | None
    is_legacy: bool


class ItemOut(Schema):
    id: UUID
    archival_code: str
    fonds: str
    category: str
    volume: UUID | None
    year: int | None
    retention: str
    org_code: str
    org_name: str
    number: int | None
    title: str
    responsible_party: str
    document_number: str
    date: dt.date | None
    security_level: int
    security_level_name: str
    open_status: str
    open_status_name: str
    page_count: int | None
    notes: str
    extra: dict[str, Any]
    scheme_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None


class ItemIn(Schema):
    fonds: str  # fonds code or id
    category: str  # category code, e.g. WS
    volume: UUID | None = None
    values: dict[str, Any]
    allocate_code: bool = True


class ItemPatch(Schema):
    values: dict[str, Any]


class MoveIn(Schema):
    position: int
    reason: str = ""


class VolumeOut(Schema):
    id: UUID
    archival_code: str
    fonds: str
    category: str
    number: int | None
    year: int | None
    retention: str
    title: str
    responsible_party: str
    date_start: dt.date | None
    date_end: dt.date | None
    security_level: int
    open_status: str
    page_count: int | None
    box_number: str
    notes: str
    project_code: str
    project_name: str
    item_count: int


class VolumeIn(Schema):
    fonds: str
    category: str
    values: dict[str, Any]
    allocate_code: bool = True


class CodeRuleOut(Schema):
    id: int
    name: str
    fonds: str | None
    category: str
    level: str
    components: list[dict[str, Any]]
    is_active: bool
    example: str


class CodeRuleIn(Schema):
    category: str
    level: str = "item"
    fonds: str | None = None
    name: str = ""
    components: list[dict[str, Any]]
    is_active: bool = True


class PreviewIn(Schema):
    components: list[dict[str, Any]]
    values: dict[str, Any] = {}


class PreviewOut(Schema):
    valid: bool
    code: str
    class_key: str
    error: dict[str, Any] | None


class ItemFilters(Schema):
    fonds: str | None = None
    category: str | None = None
    year: int | None = None
    retention: str | None = None
    open_status: str | None = None
    security_level: int | None = None
    volume: UUID | None = None
    q: str | None = None
    sort: str = "code"
    after: str | None = None
    limit: int = 50


# ---- shaping ------------------------------------------------------------------------------


def _fonds_out(f: Fonds) -> dict[str, Any]:
    return {
        "id": f.public_id,
        "code": f.code,
        "name": f.name,
        "institution": f.institution.code,
        "history": f.history,
        "start_year": f.start_year,
        "end_year": f.end_year,
        "is_active": f.is_active,
    }


def item_out(item: Item) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "archival_code": item.archival_code,
        "fonds": item.fonds.code,
        "category": item.category.code,
        "volume": item.volume.public_id if item.volume_id and item.volume else None,
        "year": item.year,
        "retention": item.retention_id,
        "org_code": item.org_code,
        "org_name": item.org_name,
        "number": item.number,
        "title": item.title,
        "responsible_party": item.responsible_party,
        "document_number": item.document_number,
        "date": item.date,
        "security_level": item.security_level,
        "security_level_name": SECURITY_LEVEL_NAMES[item.security_level],
        "open_status": item.open_status,
        "open_status_name": OPEN_STATUS_NAMES.get(item.open_status, item.open_status),
        "page_count": item.page_count,
        "notes": item.notes,
        "extra": item.extra or {},
        "scheme_version": item.scheme.version if item.scheme_id and item.scheme else None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _volume_out(v: Volume) -> dict[str, Any]:
    return {
        "id": v.public_id,
        "archival_code": v.archival_code,
        "fonds": v.fonds.code,
        "category": v.category.code,
        "number": v.number,
        "year": v.year,
        "retention": v.retention_id,
        "title": v.title,
        "responsible_party": v.responsible_party,
        "date_start": v.date_start,
        "date_end": v.date_end,
        "security_level": v.security_level,
        "open_status": v.open_status,
        "page_count": v.page_count,
        "box_number": v.box_number,
        "notes": v.notes,
        "project_code": v.project_code,
        "project_name": v.project_name,
        "item_count": v.items.filter(deleted_at__isnull=True).count(),
    }


def scheme_out(scheme: MetadataScheme) -> dict[str, Any]:
    return {
        "id": scheme.pk,
        "category": scheme.category.code,
        "version": scheme.version,
        "name": scheme.name,
        "is_current": scheme.is_current,
        "fields": [
            {
                "code": f.code,
                "name": f.name,
                "name_en": f.name_en,
                "m_number": f.m_number,
                "data_type": f.data_type,
                "required": f.required,
                "max_length": f.max_length,
                "choices": [str(c) for c in f.choices or []],
                "pattern": f.pattern,
                "is_core": f.is_core,
                "aliases": [str(a) for a in f.aliases or []],
                "help_text": f.help_text,
            }
            for f in validation.fields_of(scheme)
        ],
    }


def rule_out(rule: ArchivalCodeRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "name": rule.name,
        "fonds": rule.fonds.code if rule.fonds_id and rule.fonds else None,
        "category": rule.category.code,
        "level": rule.level,
        "components": rule.components,
        "is_active": rule.is_active,
        "example": codes.rule_example(rule),
    }


def _fonds(request: HttpRequest, ref: str) -> Fonds:
    actor = actor_of(request)
    try:
        return queries.access_fonds(actor, UUID(ref))
    except ValueError:
        return queries.fonds_by_code(actor, ref)


def _category(code: str) -> Category:
    return queries.category_by_code(code)


# ---- fonds --------------------------------------------------------------------------------


@router.get("/fonds", response=list[FondsOut], summary="List the fonds in your scope")
def list_fonds(request: HttpRequest) -> list[dict[str, Any]]:
    return [_fonds_out(f) for f in queries.visible_fonds(actor_of(request))]


@router.post("/fonds", response={201: FondsOut}, summary="Create a fonds (catalog.configure)")
def create_fonds(request: HttpRequest, body: FondsIn) -> Status[dict[str, Any]]:
    institution = Institution.objects.filter(code=body.institution).first()
    if institution is None:
        raise NotFound()
    fonds = services.create_fonds(
        actor_of(request),
        code=body.code,
        name=body.name,
        institution=institution,
        history=body.history,
        start_year=body.start_year,
        end_year=body.end_year,
    )
    return Status(201, _fonds_out(fonds))


@router.get("/fonds/{ref}", response=FondsOut, summary="Get a fonds by id or code")
def get_fonds(request: HttpRequest, ref: str) -> dict[str, Any]:
    return _fonds_out(_fonds(request, ref))


@router.patch("/fonds/{ref}", response=FondsOut, summary="Change a fonds (catalog.configure)")
def patch_fonds(request: HttpRequest, ref: str, body: FondsPatch) -> dict[str, Any]:
    changes = body.dict(exclude_unset=True)
    return _fonds_out(services.update_fonds(actor_of(request), _fonds(request, ref), **changes))


# ---- categories and schemes ---------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="List categories (门类)")
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request)
    current = {s.category_id: s.version for s in MetadataScheme.objects.filter(is_current=True)}
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "arrangement": c.arrangement,
            "uses_projects": c.uses_projects,
            "is_active": c.is_active,
            "scheme_version": current.get(c.pk),
        }
        for c in queries.categories()
    ]


@router.get(
    "/categories/{code}/scheme", response=SchemeOut, summary="The current metadata scheme of a category"
)
def get_scheme(request: HttpRequest, code: str) -> dict[str, Any]:
    actor_of(request)
    scheme = queries.current_scheme(_category(code))
    if scheme is None:
        raise NotFound()
    return scheme_out(scheme)


@router.get("/retention-periods", response=list[RetentionOut], summary="List retention periods (保管期限)")
def list_retention(request: HttpRequest) -> list[dict[str, Any]]:
    actor_of(request)
    return [
        {"code": r.code, "name": r.name, "years": r.years, "is_legacy": r.is_legacy}
        for r in queries.retention_periods()
    ]


# ---- items --------------------------------------------------------------------------------


@router.get("/items", response=ItemPage, summary="List items with filters; keyset cursor in next_cursor")
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    actor = actor_of(request)
    data = filters.dict()
    page = queries.item_page(
        actor,
        {k: data[k] for k in queries.FILTER_KEYS if data.get(k) is not None},
        sort=filters.sort,
        after=filters.after,
        size=filters.limit,
    )
    return {"items": [item_out(i) for i in page.rows], "next_cursor": page.next_cursor}


@router.get("/items/{item_id}", response=ItemOut, summary="Get an item")
def get_item(request: HttpRequest, item_id: str) -> dict[str, Any]:
    return item_out(queries.access_item(actor_of(request), item_id))


@router.post("/items", response={201: ItemOut}, summary="Create an item; 档号 allocated unless given")
def create_item(request: HttpRequest, body: ItemIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    fonds = _fonds(request, body.fonds)
    volume = queries.access_volume(actor, body.volume) if body.volume else None
    item = services.create_item(
        actor,
        fonds=fonds,
        category=_category(body.category),
        values=body.values,
        volume=volume,
        allocate_code=body.allocate_code,
    )
    return Status(201, item_out(item))


@router.patch("/items/{item_id}", response=ItemOut, summary="Change some fields of an item")
def patch_item(request: HttpRequest, item_id: str, body: ItemPatch) -> dict[str, Any]:
    actor = actor_of(request)
    item = services.update_item(actor, queries.access_item(actor, item_id), body.values)
    return item_out(queries.access_item(actor, item.public_id))


@router.delete(
    "/items/{item_id}", response={204: None}, summary="Withdraw an item (soft delete, reason required)"
)
def delete_item(request: HttpRequest, item_id: str, reason: str = "") -> Status[None]:
    actor = actor_of(request)
    services.delete_item(actor, queries.access_item(actor, item_id), reason)
    return Status(204, None)


@router.post(
    "/items/{item_id}/move", response=list[ItemOut], summary="Move an item within its class (档号调整)"
)
def move_item(request: HttpRequest, item_id: str, body: MoveIn) -> list[dict[str, Any]]:
    actor = actor_of(request)
    changed = services.insert_at(
        actor, queries.access_item(actor, item_id), body.position, reason=body.reason
    )
    return [item_out(i) for i in changed]


# ---- volumes ------------------------------------------------------------------------------


@router.get("/volumes", response=list[VolumeOut], summary="List volumes (案卷) of a fonds")
def list_volumes(request: HttpRequest, fonds: str, category: str | None = None) -> list[dict[str, Any]]:
    actor = actor_of(request)
    qs = (
        queries.visible_volumes(actor)
        .filter(fonds=_fonds(request, fonds))
        .select_related("fonds", "category")
    )
    if category:
        qs = qs.filter(category__code=category)
    return [_volume_out(v) for v in qs.order_by("archival_code", "id")[: queries.MAX_PAGE_SIZE]]


@router.get("/volumes/{volume_id}", response=VolumeOut, summary="Get a volume")
def get_volume(request: HttpRequest, volume_id: str) -> dict[str, Any]:
    return _volume_out(queries.access_volume(actor_of(request), volume_id))


@router.post("/volumes", response={201: VolumeOut}, summary="Create a volume; 案卷号 allocated unless given")
def create_volume(request: HttpRequest, body: VolumeIn) -> Status[dict[str, Any]]:
    volume = services.create_volume(
        actor_of(request),
        fonds=_fonds(request, body.fonds),
        category=_category(body.category),
        values=body.values,
        allocate_code=body.allocate_code,
    )
    return Status(201, _volume_out(volume))


# ---- code rules ---------------------------------------------------------------------------


@router.get("/code-rules", response=list[CodeRuleOut], summary="List 档号 rules (defaults and your fonds')")
def list_code_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [rule_out(r) for r in queries.code_rules(actor_of(request))]


@router.post(
    "/code-rules", response={201: CodeRuleOut}, summary="Create or replace a 档号 rule (catalog.configure)"
)
def save_code_rule(request: HttpRequest, body: CodeRuleIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    rule = services.save_code_rule(
        actor,
        category=_category(body.category),
        level=body.level,
        components=body.components,
        fonds=_fonds(request, body.fonds) if body.fonds else None,
        name=body.name,
        is_active=body.is_active,
    )
    return Status(201, rule_out(rule))


@router.post(
    "/code-rules/preview", response=PreviewOut, summary="Render a 档号 from components and sample values"
)
def preview_code_rule(request: HttpRequest, body: PreviewIn) -> dict[str, Any]:
    actor_of(request)
    return preview(body.components, body.values)


def preview(components: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Shared by the API and the rule editor's live preview."""
    merged = {**codes.SAMPLE_VALUES, **{k: v for k, v in values.items() if v not in (None,)}}
    try:
        codes.validate_components(components)
        return {
            "valid": True,
            "code": codes.render(components, merged),
            "class_key": codes.class_key(components, merged),
            "error": None,
        }
    except (CodeRuleInvalid, ArchivalCodeIncomplete) as exc:
        return {"valid": False, "code": "", "class_key": "", "error": exc.envelope()}
