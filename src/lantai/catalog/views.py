"""Catalogue staff pages: item list with the fonds tree, item view/edit/new, fonds, categories
and scheme editor, 档号 rules with preview, 档号调整. Thin: parse the request, call
``queries``/``services``, render; refusals become inline Chinese messages."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution
from lantai.catalog import codes, forms, queries, services, validation
from lantai.catalog.api import preview as preview_rule
from lantai.catalog.models import (
    ArchivalCodeCounter,
    ArchivalCodeRule,
    Category,
    CodeLevel,
    FieldType,
    Fonds,
    Item,
    MetadataField,
    MetadataScheme,
    RetentionPeriod,
    Volume,
)
from lantai.catalog.seeds import OPEN_STATUS_NAMES, PRESETS, SECURITY_LEVEL_NAMES
from lantai.core.errors import LantaiError, NotFound


def register_pages() -> None:
    """Module-bar entries (called from CatalogConfig.ready)."""
    from lantai.web.navigation import Page, register_page

    register_page("arrange", Page("describe", gettext_lazy("Description"), "catalog:items", "catalog.view"))
    register_page("arrange", Page("volumes", gettext_lazy("Volumes"), "catalog:volumes", "catalog.view"))
    register_page(
        "arrange", Page("codes", gettext_lazy("Archival codes"), "catalog:renumber", "catalog.edit")
    )
    register_page("system", Page("fonds", gettext_lazy("Fonds"), "catalog:fonds", "catalog.configure"))
    register_page(
        "system",
        Page("categories", gettext_lazy("Categories and schemes"), "catalog:categories", "catalog.configure"),
    )
    register_page(
        "system",
        Page("code_rules", gettext_lazy("Archival code rules"), "catalog:code_rules", "catalog.configure"),
    )


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)  # type: ignore[arg-type]


def _require(actor: Actor, *permissions: str) -> None:
    """Pages the actor may not use look absent, like records outside its scope."""
    if not any(actor.has(p) for p in permissions):
        raise Http404


def _flash_error(request: HttpRequest, exc: LantaiError) -> None:
    messages.error(request, exc.message, extra_tags=exc.code)


def _ctx(request: HttpRequest, module: str, **extra: Any) -> dict[str, Any]:
    return {"active_module": module, **extra}


# ---- item list ----------------------------------------------------------------------------


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.view", "catalog.view_open")
    filters = {
        k: request.GET.get(k, "").strip() for k in queries.FILTER_KEYS if request.GET.get(k, "").strip()
    }
    sort = request.GET.get("sort", "code")
    after = request.GET.get("after") or None
    page = queries.item_page(actor, filters, sort=sort, after=after, size=50)
    base = {**filters, "sort": page.sort}
    next_url = "?" + urlencode({**base, "after": page.next_cursor}) if page.next_cursor else None
    return render(
        request,
        "catalog/items.html",
        _ctx(
            request,
            "arrange",
            page=page,
            filters=filters,
            tree=queries.tree(actor),
            next_url=next_url,
            first_url="?" + urlencode(base) if after else None,
            sort_code_url="?" + urlencode({**filters, "sort": "code"}),
            sort_title_url="?" + urlencode({**filters, "sort": "title"}),
            fonds_list=queries.visible_fonds(actor),
            categories=Category.objects.filter(is_active=True),
            retentions=RetentionPeriod.objects.all(),
            open_statuses=list(OPEN_STATUS_NAMES.items()),
            security_levels=list(enumerate(SECURITY_LEVEL_NAMES)),
            can_edit=actor.has("catalog.edit"),
            can_import=actor.has("catalog.import"),
            can_print=actor.has("catalog.export"),
        ),
    )


# ---- item view, edit, new -----------------------------------------------------------------


def _scheme_fields(item_or_category: Item | Category) -> tuple[MetadataScheme, list[MetadataField]]:
    category = item_or_category.category if isinstance(item_or_category, Item) else item_or_category
    scheme = services.scheme_of(category)
    return scheme, validation.fields_of(scheme)


@login_required
def item_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    try:
        item = queries.access_item(actor, public_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        _require(actor, "catalog.edit")
        action = request.POST.get("action")
        try:
            if action == "delete":
                services.delete_item(actor, item, request.POST.get("reason", ""))
                messages.success(request, _("The item was withdrawn from the catalogue."))
                return redirect("catalog:items")
            if action == "move":
                try:
                    position = int(request.POST.get("position", ""))
                except ValueError:
                    position = 0
                services.insert_at(actor, item, position, reason=request.POST.get("reason", ""))
                messages.success(request, _("The archival codes were adjusted."))
        except LantaiError as exc:
            _flash_error(request, exc)
        return redirect("catalog:item", public_id=item.public_id)
    scheme = item.scheme or services.scheme_of(item.category)
    fields = validation.fields_of(scheme)
    values = forms.initial_values(item)
    shown = []
    for f in fields:
        value = values.get(f.code, "")
        if f.code == "security_level":
            value = SECURITY_LEVEL_NAMES[item.security_level]
        elif f.code == "open_status":
            value = OPEN_STATUS_NAMES.get(item.open_status, item.open_status)
        elif f.code == "retention":
            value = f"{item.retention.code} {item.retention.name}"
        shown.append((f, value))
    known = {f.code for f in fields}
    leftovers = [(k, v) for k, v in (item.extra or {}).items() if k not in known]
    return render(
        request,
        "catalog/item_detail.html",
        _ctx(
            request,
            "arrange",
            item=item,
            scheme=scheme,
            shown=shown,
            leftovers=leftovers,
            class_size=len(services.class_items(item)) if item.archival_code else 0,
            can_edit=actor.has("catalog.edit"),
        ),
    )


@login_required
def item_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.edit")
    try:
        item = queries.access_item(actor, public_id)
    except NotFound:
        raise Http404 from None
    scheme, fields = _scheme_fields(item)
    values: dict[str, object] = dict(forms.initial_values(item))
    errors: dict[str, str] = {}
    if request.method == "POST":
        posted = forms.posted_values(request.POST, fields, skip=("fonds_code",))
        try:
            services.update_item(actor, item, posted)
        except LantaiError as exc:
            errors = forms.errors_by_field(exc.details)
            if not errors:
                _flash_error(request, exc)
            else:
                messages.error(request, exc.message, extra_tags=exc.code)
            values.update(posted)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("catalog:item", public_id=item.public_id)
    rows = forms.rows_for(fields, values, errors, clearance=actor.clearance, readonly=("fonds_code",))
    return render(
        request,
        "catalog/item_form.html",
        _ctx(
            request, "arrange", item=item, rows=rows, scheme=scheme, fonds=item.fonds, category=item.category
        ),
    )


def _peek_code(
    fonds: Fonds, category: Category, values: dict[str, object], volume: Volume | None = None
) -> str:
    """The 档号 the next item of this class would get, without allocating it."""
    try:
        rule = codes.rule_for(fonds, category, CodeLevel.VOLUME_ITEM if volume else CodeLevel.ITEM)
        code_values = {
            "fonds_code": fonds.code,
            "category_code": category.code,
            "year": values.get("year") or (volume.year if volume else None),
            "retention_code": values.get("retention") or (volume.retention_id if volume else None),
            "org_code": values.get("org_code") or "",
            "volume_number": volume.number if volume else None,
        }
        scope = codes.class_key(rule.components, code_values)
        counter = ArchivalCodeCounter.objects.filter(rule=rule, scope_key=scope).first()
        number = (counter.last_number if counter else 0) + 1
        return codes.render(rule.components, {**code_values, "number": number})
    except LantaiError:
        return ""


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.edit")
    fonds_list = queries.visible_fonds(actor).filter(is_active=True)
    fonds_code = request.GET.get("fonds") or request.POST.get("fonds") or ""
    category_code = request.GET.get("category") or request.POST.get("category") or ""
    fonds = fonds_list.filter(code=fonds_code).first() if fonds_code else None
    category = Category.objects.filter(code=category_code, is_active=True).first() if category_code else None
    volume_id = request.GET.get("volume") or request.POST.get("volume") or ""
    volume = None
    if volume_id:
        try:
            volume = queries.access_volume(actor, volume_id)
        except NotFound:
            raise Http404 from None
        fonds, category = volume.fonds, volume.category
    context = _ctx(
        request,
        "arrange",
        fonds_list=fonds_list,
        categories=Category.objects.filter(is_active=True),
        fonds=fonds,
        category=category,
        volume=volume,
        can_import=actor.has("catalog.import"),
    )
    if fonds is None or category is None:
        return render(request, "catalog/item_new.html", context)
    try:
        scheme, fields = _scheme_fields(category)
    except LantaiError as exc:
        _flash_error(request, exc)
        return render(request, "catalog/item_new.html", context)
    values: dict[str, object] = {"fonds_code": fonds.code, "open_status": "unreviewed", "security_level": "0"}
    if volume is not None:
        values.update(year=volume.year, retention=volume.retention_id, open_status=volume.open_status)
    errors: dict[str, str] = {}
    preview = ""
    if request.method == "POST":
        posted = forms.posted_values(request.POST, fields, skip=("fonds_code",))
        values.update(posted)
        cleaned, field_errors = validation.validate_values(scheme, {**posted, "fonds_code": fonds.code})
        if request.POST.get("action") == "preview":
            preview = _peek_code(fonds, category, cleaned, volume)
            errors = {e.field: e.message for e in field_errors}
        else:
            try:
                item = services.create_item(
                    actor, fonds=fonds, category=category, values=posted, volume=volume
                )
            except LantaiError as exc:
                errors = forms.errors_by_field(exc.details)
                messages.error(request, exc.message, extra_tags=exc.code)
            else:
                messages.success(request, _("The item %(code)s was created.") % {"code": item.archival_code})
                if request.POST.get("action") == "save_new":
                    again = {"volume": str(volume.public_id)} if volume else {}
                    again = again or {"fonds": fonds.code, "category": category.code}
                    return redirect(reverse("catalog:item_new") + "?" + urlencode(again))
                return redirect("catalog:item", public_id=item.public_id)
    rule = None
    try:
        rule = codes.rule_for(fonds, category, CodeLevel.VOLUME_ITEM if volume else CodeLevel.ITEM)
    except LantaiError:
        rule = None
    context.update(
        rows=forms.rows_for(fields, values, errors, clearance=actor.clearance, readonly=("fonds_code",)),
        scheme=scheme,
        preview=preview,
        rule_example=codes.example(
            rule.components, {"fonds_code": fonds.code, "category_code": category.code}
        )
        if rule
        else "",
    )
    return render(request, "catalog/item_new.html", context)


# ---- fonds --------------------------------------------------------------------------------


def _institution_choices(actor: Actor) -> list[Institution]:
    qs = Institution.objects.filter(is_active=True)
    if actor.institution_scope is not None:
        qs = qs.filter(pk__in=list(actor.institution_scope))
    return list(qs.order_by("code"))


def _institution(actor: Actor, public_id: str) -> Institution | None:
    """An institution the actor may reach, by public id; None for anything else."""
    try:
        wanted = uuid.UUID(public_id)
    except (ValueError, TypeError):
        return None
    return next((i for i in _institution_choices(actor) if i.public_id == wanted), None)


def _int_or_none(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return None


@login_required
def fonds_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {
            k: request.POST.get(k, "")
            for k in ("code", "name", "institution", "history", "start_year", "end_year")
        }
        institution = _institution(actor, form["institution"])
        try:
            if institution is None:
                raise NotFound()
            fonds = services.create_fonds(
                actor,
                code=form["code"],
                name=form["name"],
                institution=institution,
                history=form["history"],
                start_year=_int_or_none(form["start_year"]),
                end_year=_int_or_none(form["end_year"]),
            )
        except LantaiError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The fonds %(code)s was created.") % {"code": fonds.code})
            return redirect("catalog:fonds")
    return render(
        request,
        "catalog/fonds_list.html",
        _ctx(
            request,
            "system",
            fonds_list=queries.visible_fonds(actor),
            institutions=_institution_choices(actor),
            form=form,
        ),
    )


@login_required
def fonds_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    try:
        fonds = queries.access_fonds(actor, public_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        institution = _institution(actor, request.POST.get("institution", ""))
        changes: dict[str, Any] = {
            "name": request.POST.get("name", ""),
            "history": request.POST.get("history", ""),
            "start_year": _int_or_none(request.POST.get("start_year", "")),
            "end_year": _int_or_none(request.POST.get("end_year", "")),
            "is_active": request.POST.get("is_active") == "on",
        }
        if institution is not None:
            changes["institution"] = institution
        try:
            services.update_fonds(actor, fonds, **changes)
        except LantaiError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The fonds was saved."))
            return redirect("catalog:fonds")
    return render(
        request,
        "catalog/fonds_edit.html",
        _ctx(request, "system", fonds=fonds, institutions=_institution_choices(actor)),
    )


# ---- categories and schemes ---------------------------------------------------------------


@login_required
def category_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    current = {s.category_id: s for s in MetadataScheme.objects.filter(is_current=True)}
    rows = [(c, current.get(c.pk)) for c in Category.objects.all()]
    return render(request, "catalog/categories.html", _ctx(request, "system", rows=rows))


def _field_spec(post: Any) -> dict[str, Any]:
    def lines(name: str) -> list[str]:
        return [s.strip() for s in str(post.get(name, "")).replace("、", "\n").splitlines() if s.strip()]

    spec: dict[str, Any] = {
        "name": post.get("name", "").strip(),
        "name_en": post.get("name_en", "").strip(),
        "m_number": post.get("m_number", "").strip(),
        "data_type": post.get("data_type", "text"),
        "required": post.get("required") == "on",
        "max_length": _int_or_none(post.get("max_length", "")),
        "choices": lines("choices"),
        "pattern": post.get("pattern", "").strip(),
        "help_text": post.get("help_text", "").strip()[:200],
        "aliases": lines("aliases"),
    }
    if post.get("order", "").strip():
        spec["order"] = _int_or_none(post.get("order")) or 100
    return spec


@login_required
def scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404
    scheme = queries.current_scheme(category)
    spec_errors: list[dict[str, Any]] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "category":
                services.update_category(
                    actor,
                    category,
                    name=request.POST.get("name", ""),
                    arrangement=request.POST.get("arrangement", category.arrangement),
                    uses_projects=request.POST.get("uses_projects") == "on",
                    is_active=request.POST.get("is_active") == "on",
                )
                messages.success(request, _("The category was saved."))
            elif action == "new_version":
                services.new_scheme_version(actor, category, note=request.POST.get("note", ""))
                messages.success(request, _("A new scheme version was created."))
            elif action == "add_field" and scheme is not None:
                spec = _field_spec(request.POST)
                spec["code"] = request.POST.get("code", "").strip()
                services.add_field(actor, scheme, **spec)
                messages.success(request, _("The field was added."))
            elif action == "update_field" and scheme is not None:
                target = scheme.fields.filter(code=request.POST.get("code", "")).first()
                if target is None:
                    raise NotFound()
                spec = _field_spec(request.POST)
                if target.is_core:
                    spec.pop("data_type", None)
                services.update_field(actor, target, **spec)
                messages.success(request, _("The field was saved."))
            elif action == "remove_field" and scheme is not None:
                target = scheme.fields.filter(code=request.POST.get("code", "")).first()
                if target is None:
                    raise NotFound()
                services.remove_field(actor, target)
                messages.success(request, _("The field was removed."))
        except LantaiError as exc:
            _flash_error(request, exc)
            if isinstance(exc.details, list):
                spec_errors = [d for d in exc.details if isinstance(d, dict)]
        else:
            return redirect("catalog:scheme", code=category.code)
    versions = MetadataScheme.objects.filter(category=category).order_by("-version")
    fields = validation.fields_of(scheme) if scheme else []
    editing = request.GET.get("field", "")
    return render(
        request,
        "catalog/scheme_edit.html",
        _ctx(
            request,
            "system",
            category=category,
            scheme=scheme,
            versions=versions,
            fields=fields,
            editing=editing,
            spec_errors=spec_errors,
            data_types=FieldType.choices,
            arrangements=Category._meta.get_field("arrangement").choices,
        ),
    )


# ---- 档号 rules ---------------------------------------------------------------------------


@login_required
def code_rules(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    rules = [(r, codes.rule_example(r)) for r in queries.code_rules(actor)]
    return render(
        request,
        "catalog/code_rules.html",
        _ctx(
            request,
            "system",
            rules=rules,
            categories=Category.objects.all(),
            fonds_list=queries.visible_fonds(actor),
            levels=CodeLevel.choices,
        ),
    )


@login_required
def code_rule_edit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.configure")
    source = request.POST if request.method == "POST" else request.GET
    category = Category.objects.filter(code=source.get("category", "")).first()
    if category is None:
        raise Http404
    level = source.get("level", CodeLevel.ITEM)
    if level not in CodeLevel.values:
        raise Http404
    fonds = None
    if source.get("fonds"):
        fonds = queries.visible_fonds(actor).filter(code=source.get("fonds")).first()
        if fonds is None:
            raise Http404
    rule = ArchivalCodeRule.objects.filter(category=category, level=level, fonds=fonds).first()
    inherited = (
        None
        if rule or fonds is None
        else ArchivalCodeRule.objects.filter(category=category, level=level, fonds__isnull=True).first()
    )
    start = rule or inherited
    text = forms.format_components(start.components) if start else ""
    name = rule.name if rule else ""
    samples = {k: str(v) for k, v in codes.SAMPLE_VALUES.items()}
    samples.update(fonds_code=fonds.code if fonds else samples["fonds_code"], category_code=category.code)
    preview = None
    if request.method == "POST":
        text = request.POST.get("components", "")
        name = request.POST.get("name", "")
        preset = request.POST.get("preset", "")
        if request.POST.get("action") == "preset" and preset in PRESETS:
            text = forms.format_components(PRESETS[preset][1])
        for key in samples:
            if f"s_{key}" in request.POST:
                samples[key] = request.POST.get(f"s_{key}", "")
        components = forms.parse_components(text)
        preview = preview_rule(components, samples)
        if request.POST.get("action") == "save":
            try:
                services.save_code_rule(
                    actor,
                    category=category,
                    level=level,
                    components=components,
                    fonds=fonds,
                    name=name,
                    is_active=request.POST.get("is_active", "on") == "on",
                )
            except LantaiError as exc:
                _flash_error(request, exc)
            else:
                messages.success(request, _("The archival code rule was saved."))
                return redirect("catalog:code_rules")
    elif text:
        preview = preview_rule(forms.parse_components(text), samples)
    return render(
        request,
        "catalog/code_rule_edit.html",
        _ctx(
            request,
            "system",
            category=category,
            level=level,
            level_label=dict(CodeLevel.choices)[level],
            fonds=fonds,
            rule=rule,
            inherited=inherited,
            text=text,
            name=name,
            samples=[(k, v) for k, v in samples.items() if k in _kinds_in(text)],
            preview=preview,
            presets=[(k, v[0]) for k, v in PRESETS.items()],
            kinds=sorted(codes.KNOWN_KINDS),
        ),
    )


def _kinds_in(text: str) -> set[str]:
    return {str(c.get("kind")) for c in forms.parse_components(text)}


# ---- 档号调整 ----------------------------------------------------------------------------


@login_required
def renumber_page(request: HttpRequest) -> HttpResponse:
    """Choose a class (fonds, category, year, retention, 机构), see its items in number order,
    and give them new positions; saving renumbers the whole class 1…N."""
    actor = _actor(request)
    _require(actor, "catalog.edit")
    source = request.POST if request.method == "POST" else request.GET
    chosen = {k: source.get(k, "").strip() for k in ("fonds", "category", "year", "retention", "org_code")}
    items: list[Item] = []
    anchor = None
    if chosen["fonds"] and chosen["category"] and chosen["year"] and chosen["retention"]:
        qs = queries.filter_items(
            queries.visible_items(actor),
            {k: chosen[k] for k in ("fonds", "category", "year", "retention")},
        ).filter(org_code=chosen["org_code"], volume__isnull=True)
        anchor = qs.exclude(archival_code="").order_by("number", "id").first()
        if anchor is not None:
            items = services.class_items(anchor)
    if request.method == "POST" and items:
        positions: list[tuple[float, int, Item]] = []
        for index, item in enumerate(items):
            raw = request.POST.get(f"pos_{item.public_id}", "")
            try:
                wanted = float(raw)
            except ValueError:
                wanted = float(index + 1)
            positions.append((wanted, index, item))
        ordered = [item for _w, _i, item in sorted(positions, key=lambda t: (t[0], t[1]))]
        try:
            services.renumber(actor, ordered, reason=request.POST.get("reason", ""))
        except LantaiError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The archival codes were adjusted."))
        return redirect(reverse("catalog:renumber") + "?" + urlencode(chosen))
    gaps = [i.number for i in items]
    has_gaps = bool(items) and gaps != list(range(1, len(items) + 1))
    return render(
        request,
        "catalog/renumber.html",
        _ctx(
            request,
            "arrange",
            chosen=chosen,
            items=items,
            has_gaps=has_gaps,
            fonds_list=queries.visible_fonds(actor),
            categories=Category.objects.filter(is_active=True),
            retentions=RetentionPeriod.objects.all(),
        ),
    )


# ---- volumes (案卷) ---------------------------------------------------------------------


@login_required
def volume_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.view", "catalog.view_open")
    filters = {k: request.GET.get(k, "").strip() for k in ("fonds", "category", "year")}
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        _require(actor, "catalog.edit")
        form = {k: request.POST.get(k, "") for k in ("fonds", "category")}
        posted = {f.code: request.POST.get(f"f_{f.code}", "") for f in services.VOLUME_FIELDS}
        form.update({f"f_{k}": v for k, v in posted.items()})
        fonds = queries.visible_fonds(actor).filter(code=form["fonds"]).first()
        category = Category.objects.filter(code=form["category"]).first()
        try:
            if fonds is None or category is None:
                raise NotFound()
            volume = services.create_volume(actor, fonds=fonds, category=category, values=posted)
        except LantaiError as exc:
            errors = forms.errors_by_field(exc.details)
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The volume %(code)s was created.") % {"code": volume.archival_code})
            return redirect("catalog:volume", public_id=volume.public_id)
    qs = queries.visible_volumes(actor).select_related("fonds", "category")
    if filters["fonds"]:
        qs = qs.filter(fonds__code=filters["fonds"])
    if filters["category"]:
        qs = qs.filter(category__code=filters["category"])
    if filters["year"].isdigit():
        qs = qs.filter(year=int(filters["year"]))
    values: dict[str, object] = {k[2:]: v for k, v in form.items() if k.startswith("f_")}
    values = values or {"open_status": "unreviewed"}
    rows = forms.rows_for(services.VOLUME_FIELDS, values, errors, clearance=actor.clearance)
    return render(
        request,
        "catalog/volumes.html",
        _ctx(
            request,
            "arrange",
            volumes=qs.order_by("fonds__code", "archival_code", "id")[:500],
            filters=filters,
            form=form,
            rows=rows,
            fonds_list=queries.visible_fonds(actor),
            categories=Category.objects.filter(is_active=True),
            can_edit=actor.has("catalog.edit"),
        ),
    )


@login_required
def volume_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = _actor(request)
    try:
        volume = queries.access_volume(actor, public_id)
    except NotFound:
        raise Http404 from None
    items = queries.visible_items(actor).filter(volume=volume).order_by("number", "id")
    return render(
        request,
        "catalog/volume_detail.html",
        _ctx(request, "arrange", volume=volume, items=items, can_edit=actor.has("catalog.edit")),
    )
