"""Catalogue writes: fonds, items, volumes, 档号 adjustment, categories, schemes and code rules.

Every write checks the permission, validates before writing, runs in one transaction,
records one audit event with before/after and tells ``hooks.items_changed`` which items
changed (inside the same transaction, so listeners can defer work to commit).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution, SecurityLevel
from lantai.audit import services as audit
from lantai.catalog import codes, hooks, validation
from lantai.catalog.errors import (
    ArchivalCodeIncomplete,
    ArchivalCodeInvalid,
    DuplicateArchivalCode,
    FondsCodeTaken,
    MetadataInvalid,
    NoScheme,
    RenumberInvalid,
    SchemeInvalid,
    VolumeMismatch,
)
from lantai.catalog.models import (
    ArchivalCodeCounter,
    ArchivalCodeRule,
    Arrangement,
    Category,
    CodeLevel,
    FieldType,
    Fonds,
    Item,
    MetadataField,
    MetadataScheme,
    OpenStatus,
    RetentionPeriod,
    Volume,
)
from lantai.catalog.validation import FieldError
from lantai.core.errors import LantaiError, NotFound, PermissionDenied, ValidationFailed
from lantai.core.i18n import nfc, pinyin_key

T = TypeVar("T")

# Item columns filled from the scheme's core fields (the rest of the scheme goes to ``extra``).
ITEM_COLUMNS = (
    "year",
    "org_code",
    "org_name",
    "number",
    "title",
    "responsible_party",
    "document_number",
    "date",
    "security_level",
    "open_status",
    "page_count",
    "notes",
)
# Core fields that are not columns of their own: checked or resolved separately.
NON_COLUMN_CORE = ("archival_code", "fonds_code", "retention")
CLASS_FIELDS = ("year", "retention", "org_code")
FONDS_CODE_RE = re.compile(r"[A-Za-z0-9]{1,20}")
FIELD_CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")


def _guarded(actor: Actor, action: str, permission: str, body: Callable[[], T], **audit_kw: Any) -> T:
    """Run ``body`` after the permission check; a refusal is itself audited."""
    if not actor.has(permission):
        audit.record_failure(actor, action, message=f"missing permission {permission}", **audit_kw)
        raise PermissionDenied(details={"missing": [permission]})
    return body()


def _field_errors(errors: list[FieldError]) -> MetadataInvalid:
    return MetadataInvalid(details=[e.as_dict() for e in errors])


def _reach_fonds(actor: Actor, fonds: Fonds) -> None:
    """Writes to a fonds outside the actor's scope look like writes to a missing fonds."""
    if not actor.may_reach_institution(fonds.institution_id):
        raise NotFound()


def _snapshot(unit: Item | Volume) -> dict[str, Any]:
    data: dict[str, Any] = {
        "public_id": str(unit.public_id),
        "fonds": unit.fonds.code,
        "category": unit.category.code,
        "archival_code": unit.archival_code,
        "year": unit.year,
        "retention": unit.retention_id,
        "org_code": unit.org_code,
        "org_name": unit.org_name,
        "title": unit.title,
        "responsible_party": unit.responsible_party,
        "security_level": unit.security_level,
        "open_status": unit.open_status,
        "page_count": unit.page_count,
        "notes": unit.notes,
        "number": unit.number,
        "extra": dict(unit.extra or {}),
    }
    if isinstance(unit, Item):
        data.update(
            document_number=unit.document_number,
            date=unit.date.isoformat() if unit.date else None,
            volume=str(unit.volume.public_id) if unit.volume_id and unit.volume else None,
        )
    else:
        data.update(
            date_start=unit.date_start.isoformat() if unit.date_start else None,
            date_end=unit.date_end.isoformat() if unit.date_end else None,
            box_number=unit.box_number,
            project_code=unit.project_code,
            project_name=unit.project_name,
        )
    if unit.deleted_at:
        data["deleted_at"] = unit.deleted_at.isoformat()
    return data


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


# ---- fonds --------------------------------------------------------------------------------


def _fonds_fields(code: str | None, name: str | None, start_year: int | None, end_year: int | None) -> None:
    problems: list[dict[str, str]] = []
    if code is not None and not FONDS_CODE_RE.fullmatch(code):
        problems.append(
            {
                "field": "code",
                "rule": "pattern",
                "message": gettext("A fonds code is 1–20 letters or digits."),
            }
        )
    if name is not None and not name.strip():
        problems.append(
            {"field": "name", "rule": "required", "message": gettext("The fonds name is required.")}
        )
    if start_year and end_year and start_year > end_year:
        problems.append(
            {
                "field": "end_year",
                "rule": "reasonableness",
                "message": gettext("The end year is before the start year."),
            }
        )
    if problems:
        raise ValidationFailed(details=problems)


def create_fonds(
    actor: Actor,
    *,
    code: str,
    name: str,
    institution: Institution,
    history: str = "",
    start_year: int | None = None,
    end_year: int | None = None,
) -> Fonds:
    def body() -> Fonds:
        if not actor.may_reach_institution(institution.pk):
            raise NotFound()
        clean_code = code.strip().upper()
        _fonds_fields(clean_code, name, start_year, end_year)
        with transaction.atomic():
            if Fonds.objects.filter(code=clean_code).exists():
                raise FondsCodeTaken(details={"code": clean_code})
            fonds = Fonds.objects.create(
                code=clean_code,
                name=nfc(name.strip()),
                institution=institution,
                history=nfc(history),
                start_year=start_year,
                end_year=end_year,
            )
            audit.record(
                actor,
                "catalog.fonds.create",
                object_type="fonds",
                object_id=fonds.public_id,
                after=_fonds_snapshot(fonds),
                institution_id=institution.pk,
            )
        return fonds

    return _guarded(actor, "catalog.fonds.create", "catalog.configure", body, object_type="fonds")


def _fonds_snapshot(fonds: Fonds) -> dict[str, Any]:
    return {
        "code": fonds.code,
        "name": fonds.name,
        "institution": fonds.institution.code,
        "history": fonds.history,
        "start_year": fonds.start_year,
        "end_year": fonds.end_year,
        "is_active": fonds.is_active,
    }


FONDS_EDITABLE = ("name", "history", "start_year", "end_year", "is_active", "institution")


def update_fonds(actor: Actor, fonds: Fonds, **changes: Any) -> Fonds:
    """The fonds code is fixed once set: it is part of every 档号 in the fonds."""

    def body() -> Fonds:
        _reach_fonds(actor, fonds)
        unknown = set(changes) - set(FONDS_EDITABLE)
        if unknown:
            raise ValidationFailed(details={"unknown": sorted(unknown)})
        target = changes.get("institution")
        if target is not None and not actor.may_reach_institution(target.pk):
            raise NotFound()
        merged_start = changes.get("start_year", fonds.start_year)
        merged_end = changes.get("end_year", fonds.end_year)
        _fonds_fields(None, changes.get("name"), merged_start, merged_end)
        with transaction.atomic():
            locked = (
                Fonds.objects.select_for_update(of=("self",)).select_related("institution").get(pk=fonds.pk)
            )
            before = _fonds_snapshot(locked)
            for key, value in changes.items():
                setattr(locked, key, nfc(value.strip()) if isinstance(value, str) else value)
            locked.save()
            old, new = _diff(before, _fonds_snapshot(locked))
            audit.record(
                actor,
                "catalog.fonds.update",
                object_type="fonds",
                object_id=locked.public_id,
                before=old,
                after=new,
            )
        return locked

    return _guarded(actor, "catalog.fonds.update", "catalog.configure", body, object_type="fonds")


# ---- items --------------------------------------------------------------------------------


def scheme_of(category: Category) -> MetadataScheme:
    scheme = MetadataScheme.objects.filter(category=category, is_current=True).first()
    if scheme is None:
        raise NoScheme(details={"category": category.code})
    return scheme


def _code_values(
    fonds: Fonds, category: Category, unit: Item | Volume, volume: Volume | None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "fonds_code": fonds.code,
        "category_code": category.code,
        "year": unit.year,
        "retention_code": unit.retention_id,
        "org_code": unit.org_code,
        "number": unit.number,
    }
    if volume is not None:
        values["volume_number"] = volume.number
        values["project_code"] = volume.project_code
    elif isinstance(unit, Volume):
        values["volume_number"] = unit.number
        values["project_code"] = unit.project_code
    return values


def _code_error(field: str, label: str, exc: LantaiError, value: object) -> MetadataInvalid:
    return _field_errors(
        [
            FieldError(
                field=field, label=label, rule="pattern", message=exc.message, value=str(value or "")[:100]
            )
        ]
    )


def _assign_code(
    unit: Item | Volume,
    rule: ArchivalCodeRule,
    values: dict[str, Any],
    given_code: str,
    allocate_code: bool,
    label: str,
) -> None:
    """Set ``unit.number`` and ``unit.archival_code``: from an explicit 档号 (which must match
    the record), an explicit number (reserved), or the next number of the class."""
    counter = codes.counter_kind(rule.components)
    exclude = unit.pk
    try:
        if given_code:
            parsed = codes.parse(rule.components, given_code)
            for kind, value in parsed.items():
                if kind == counter:
                    continue
                mine = values.get(kind)
                if kind in ("org_code",) and not mine:
                    mine = ""
                if mine is not None and str(mine) != str(value):
                    raise ArchivalCodeInvalid(
                        _("The archival code %(value)s does not match the record's %(part)s (%(mine)s)."),
                        value=given_code,
                        part=codes.KIND_LABELS.get(kind, kind),
                        mine=mine,
                    )
            number = int(parsed[counter])
            codes.reserve(rule, values, number, exclude_pk=exclude)
        elif values.get(counter):
            number = int(values[counter])
            codes.reserve(rule, values, number, exclude_pk=exclude)
        elif allocate_code:
            number = codes.allocate(rule, values)[0]
        else:
            unit.archival_code = ""
            return
        unit.archival_code = codes.render(rule.components, {**values, counter: number})
    except DuplicateArchivalCode:
        raise
    except (ArchivalCodeInvalid, ArchivalCodeIncomplete) as exc:
        raise _code_error("archival_code", label, exc, given_code or values.get(counter)) from None
    unit.number = number


def _labels(scheme: MetadataScheme) -> dict[str, str]:
    return {code: f.name for code, f in validation.field_map(scheme).items()}


def _apply_values(unit: Item, scheme: MetadataScheme, cleaned: Mapping[str, Any]) -> None:
    fields = validation.field_map(scheme)
    extra = dict(unit.extra or {})
    for code, value in cleaned.items():
        f = fields.get(code)
        if f is None or code in NON_COLUMN_CORE:
            continue
        if f.is_core and code in ITEM_COLUMNS:
            if value is None and code in ("security_level",):
                value = SecurityLevel.PUBLIC
            if value is None and code == "open_status":
                value = OpenStatus.UNREVIEWED
            if value is None and code in (
                "org_code",
                "org_name",
                "responsible_party",
                "document_number",
                "notes",
            ):
                value = ""
            setattr(unit, code, value)
        elif value in (None, ""):
            extra.pop(code, None)
        else:
            extra[code] = validation.json_value(value)
    if cleaned.get("retention"):
        unit.retention_id = str(cleaned["retention"])
    unit.extra = extra
    unit.title_sort = pinyin_key(unit.title)


def _check_clearance(actor: Actor, level: int, labels: dict[str, str]) -> None:
    if level > actor.clearance:
        raise _field_errors(
            [
                FieldError(
                    field="security_level",
                    label=labels.get("security_level", "密级"),
                    rule="reasonableness",
                    message=gettext("You may not record items classified above your own clearance."),
                    value=str(level),
                )
            ]
        )


def create_item(
    actor: Actor,
    *,
    fonds: Fonds,
    category: Category,
    values: Mapping[str, object],
    volume: Volume | None = None,
    allocate_code: bool = True,
) -> Item:
    """A new 件 (or 卷内文件 with ``volume``). ``values`` are raw field values keyed by field
    code; 档号 and 件号 are allocated unless given."""

    def body() -> Item:
        _reach_fonds(actor, fonds)
        scheme = scheme_of(category)
        labels = _labels(scheme)
        raw = dict(values)
        given_fonds = raw.get("fonds_code")
        if given_fonds not in (None, "") and str(given_fonds).strip().upper() != fonds.code.upper():
            raise _field_errors(
                [
                    FieldError(
                        field="fonds_code",
                        label=labels.get("fonds_code", "全宗号"),
                        rule="reasonableness",
                        message=gettext("The fonds code %(value)s is not that of the fonds %(fonds)s.")
                        % {"value": given_fonds, "fonds": fonds.code},
                        value=str(given_fonds),
                    )
                ]
            )
        raw["fonds_code"] = fonds.code
        if volume is not None and (volume.fonds_id != fonds.pk or volume.category_id != category.pk):
            raise VolumeMismatch()
        if volume is not None:
            raw.setdefault("year", volume.year)
            raw.setdefault("retention", volume.retention_id)
        cleaned, errors = validation.validate_values(scheme, raw)
        if errors:
            raise _field_errors(errors)
        item = Item(fonds=fonds, category=category, scheme=scheme, volume=volume, extra={})
        _apply_values(item, scheme, cleaned)
        _check_clearance(actor, item.security_level, labels)
        level = CodeLevel.VOLUME_ITEM if volume is not None else CodeLevel.ITEM
        with transaction.atomic():
            rule = codes.rule_for(fonds, category, level)
            _assign_code(
                item,
                rule,
                _code_values(fonds, category, item, volume),
                str(cleaned.get("archival_code") or ""),
                allocate_code,
                labels.get("archival_code", "档号"),
            )
            now = timezone.now()
            item.created_at = now
            item.updated_at = now
            _save_unique(item)
            audit.record(
                actor,
                "catalog.item.create",
                object_type="item",
                object_id=item.public_id,
                after=_snapshot(item),
                institution_id=fonds.institution_id,
            )
            hooks.items_changed([item.pk])
        return item

    return _guarded(actor, "catalog.item.create", "catalog.edit", body, object_type="item")


def _save_unique(unit: Item | Volume) -> None:
    """The unique index is the last line of defence against a duplicate 档号 (e.g. a code
    reserved in another process between our check and our insert)."""
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise DuplicateArchivalCode(
            _("The archival code %(value)s is already in use."),
            value=unit.archival_code,
            details={"archival_code": unit.archival_code},
        ) from None


def update_item(actor: Actor, item: Item, values: Mapping[str, object]) -> Item:
    """Change the given fields only. When 年度, 保管期限 or 机构(问题) change, the item leaves
    its class: it gets the next number of the new class (unless a 档号 or 件号 is given)."""

    def body() -> Item:
        _reach_fonds(actor, item.fonds)
        with transaction.atomic():
            locked = (
                Item.objects.select_for_update(of=("self",))
                .select_related("fonds", "category", "volume", "scheme")
                .filter(pk=item.pk, deleted_at__isnull=True)
                .first()
            )
            if locked is None or locked.security_level > actor.clearance:
                raise NotFound()
            # Edits move the item to the category's current scheme version.
            scheme = scheme_of(locked.category)
            locked.scheme = scheme
            labels = _labels(scheme)
            raw = {k: v for k, v in values.items() if k != "fonds_code"}
            cleaned, errors = validation.validate_values(scheme, raw, partial=True)
            if errors:
                raise _field_errors(errors)
            before = _snapshot(locked)
            old_class = (locked.year, locked.retention_id, locked.org_code)
            old_number = locked.number
            _apply_values(locked, scheme, cleaned)
            _check_clearance(actor, locked.security_level, labels)
            given_code = str(cleaned.get("archival_code") or "")
            class_changed = (locked.year, locked.retention_id, locked.org_code) != old_class
            number_changed = "number" in cleaned and cleaned["number"] != old_number
            if (given_code and given_code != before["archival_code"]) or class_changed or number_changed:
                if class_changed and not number_changed:
                    locked.number = None  # a new number in the new class
                level = CodeLevel.VOLUME_ITEM if locked.volume_id else CodeLevel.ITEM
                rule = codes.rule_for(locked.fonds, locked.category, level)
                if locked.archival_code or given_code or locked.number:
                    _assign_code(
                        locked,
                        rule,
                        _code_values(locked.fonds, locked.category, locked, locked.volume),
                        given_code if given_code != before["archival_code"] else "",
                        True,
                        labels.get("archival_code", "档号"),
                    )
            locked.updated_at = timezone.now()
            _save_unique(locked)
            old, new = _diff(before, _snapshot(locked))
            audit.record(
                actor,
                "catalog.item.update",
                object_type="item",
                object_id=locked.public_id,
                before=old,
                after=new,
                institution_id=locked.fonds.institution_id,
            )
            hooks.items_changed([locked.pk])
        return locked

    return _guarded(
        actor, "catalog.item.update", "catalog.edit", body, object_type="item", object_id=item.public_id
    )


def delete_item(actor: Actor, item: Item, reason: str) -> Item:
    """Withdraw an item from the catalogue (soft: ``deleted_at``); the reason is audited."""

    def body() -> Item:
        _reach_fonds(actor, item.fonds)
        if not (reason or "").strip():
            raise ValidationFailed(
                _("Give a reason for withdrawing the item."),
                details=[{"field": "reason", "rule": "required"}],
            )
        with transaction.atomic():
            locked = Item.objects.select_for_update().filter(pk=item.pk, deleted_at__isnull=True).first()
            if locked is None or locked.security_level > actor.clearance:
                raise NotFound()
            locked.deleted_at = timezone.now()
            locked.updated_at = locked.deleted_at
            locked.save(update_fields=["deleted_at", "updated_at"])
            audit.record(
                actor,
                "catalog.item.delete",
                object_type="item",
                object_id=locked.public_id,
                before={"archival_code": locked.archival_code, "title": locked.title},
                after={"deleted_at": locked.deleted_at.isoformat()},
                message=reason.strip()[:500],
                institution_id=item.fonds.institution_id,
            )
            hooks.items_changed([locked.pk])
        return locked

    return _guarded(
        actor, "catalog.item.delete", "catalog.edit", body, object_type="item", object_id=item.public_id
    )


# ---- volumes ------------------------------------------------------------------------------


def _volume_fields() -> list[MetadataField]:
    """The fields of a 案卷 (GB/T 9705 案卷目录); not per-category, so not stored as a scheme."""
    specs: list[tuple[str, str, str, bool, dict[str, Any]]] = [
        ("archival_code", "档号", FieldType.TEXT, False, {"max_length": 100}),
        ("year", "年度", FieldType.YEAR, True, {}),
        ("retention", "保管期限", FieldType.CHOICE, True, {}),
        (
            "org_code",
            "机构(问题)代码",
            FieldType.TEXT,
            False,
            {"max_length": 20, "pattern": r"[A-Za-z0-9\u4e00-\u9fff]{1,20}"},
        ),
        ("org_name", "机构(问题)", FieldType.TEXT, False, {"max_length": 100}),
        (
            "project_code",
            "项目号",
            FieldType.TEXT,
            False,
            {"max_length": 20, "pattern": r"[A-Za-z0-9]{1,20}"},
        ),
        ("project_name", "项目名称", FieldType.TEXT, False, {"max_length": 200}),
        ("number", "案卷号", FieldType.INTEGER, False, {}),
        ("title", "案卷题名", FieldType.TEXT, True, {"max_length": 1000}),
        ("responsible_party", "责任者", FieldType.TEXT, False, {"max_length": 500}),
        ("date_start", "起始日期", FieldType.DATE, False, {}),
        ("date_end", "终止日期", FieldType.DATE, False, {}),
        ("security_level", "密级", FieldType.CHOICE, False, {}),
        ("open_status", "开放状态", FieldType.CHOICE, True, {}),
        ("page_count", "页数", FieldType.INTEGER, False, {}),
        ("box_number", "盒号", FieldType.TEXT, False, {"max_length": 20}),
        ("notes", "备注", FieldType.TEXT, False, {}),
    ]
    return [
        MetadataField(code=code, name=name, data_type=kind, required=required, is_core=True, **kw)
        for code, name, kind, required, kw in specs
    ]


VOLUME_FIELDS = _volume_fields()
VOLUME_LABELS = {f.code: f.name for f in VOLUME_FIELDS}


def _apply_volume_values(volume: Volume, cleaned: Mapping[str, Any]) -> None:
    for code, value in cleaned.items():
        if code in ("archival_code",):
            continue
        if code == "retention":
            if value:
                volume.retention_id = str(value)
            continue
        if value is None and code == "security_level":
            value = SecurityLevel.PUBLIC
        if value is None and code == "open_status":
            value = OpenStatus.UNREVIEWED
        if value is None and code in (
            "org_code",
            "org_name",
            "responsible_party",
            "box_number",
            "notes",
            "project_code",
            "project_name",
        ):
            value = ""
        setattr(volume, code, value)
    volume.title_sort = pinyin_key(volume.title)


def _check_volume_dates(volume: Volume) -> None:
    if volume.date_start and volume.date_end and volume.date_start > volume.date_end:
        raise _field_errors(
            [
                FieldError(
                    field="date_end",
                    label=VOLUME_LABELS["date_end"],
                    rule="reasonableness",
                    message=gettext("The end date is before the start date."),
                    value=volume.date_end.strftime("%Y%m%d"),
                )
            ]
        )


def create_volume(
    actor: Actor,
    *,
    fonds: Fonds,
    category: Category,
    values: Mapping[str, object],
    allocate_code: bool = True,
) -> Volume:
    def body() -> Volume:
        _reach_fonds(actor, fonds)
        cleaned, errors = validation.validate_fields(VOLUME_FIELDS, values)
        if errors:
            raise _field_errors(errors)
        volume = Volume(fonds=fonds, category=category, extra={})
        _apply_volume_values(volume, cleaned)
        _check_volume_dates(volume)
        _check_clearance(actor, volume.security_level, VOLUME_LABELS)
        with transaction.atomic():
            rule = codes.rule_for(fonds, category, CodeLevel.VOLUME)
            values_for_code = _code_values(fonds, category, volume, None)
            _assign_code(
                volume, rule, values_for_code, str(cleaned.get("archival_code") or ""), allocate_code, "档号"
            )
            _save_unique(volume)
            audit.record(
                actor,
                "catalog.volume.create",
                object_type="volume",
                object_id=volume.public_id,
                after=_snapshot(volume),
                institution_id=fonds.institution_id,
            )
        return volume

    return _guarded(actor, "catalog.volume.create", "catalog.edit", body, object_type="volume")


def update_volume(actor: Actor, volume: Volume, values: Mapping[str, object]) -> Volume:
    """Descriptive fields only; a volume's 档号 is changed by renumbering."""

    def body() -> Volume:
        _reach_fonds(actor, volume.fonds)
        fields = [
            f
            for f in VOLUME_FIELDS
            if f.code not in ("archival_code", "number", "year", "retention", "org_code", "project_code")
        ]
        cleaned, errors = validation.validate_fields(fields, values, partial=True)
        if errors:
            raise _field_errors(errors)
        with transaction.atomic():
            locked = (
                Volume.objects.select_for_update(of=("self",))
                .select_related("fonds", "category")
                .get(pk=volume.pk)
            )
            if locked.deleted_at or locked.security_level > actor.clearance:
                raise NotFound()
            before = _snapshot(locked)
            _apply_volume_values(locked, cleaned)
            _check_volume_dates(locked)
            _check_clearance(actor, locked.security_level, VOLUME_LABELS)
            locked.updated_at = timezone.now()
            locked.save()
            old, new = _diff(before, _snapshot(locked))
            audit.record(
                actor,
                "catalog.volume.update",
                object_type="volume",
                object_id=locked.public_id,
                before=old,
                after=new,
            )
        return locked

    return _guarded(actor, "catalog.volume.update", "catalog.edit", body, object_type="volume")


# ---- 档号调整 (renumbering) -----------------------------------------------------------------


def _class_filter(item: Item, *, deleted: bool | None = False) -> QuerySet[Item]:
    scope: dict[str, Any] = {
        "fonds_id": item.fonds_id,
        "category_id": item.category_id,
        "volume_id": item.volume_id,
        "year": item.year,
        "retention_id": item.retention_id,
        "org_code": item.org_code,
    }
    qs = Item.objects.filter(**scope)
    if deleted is None:
        return qs
    return qs.filter(deleted_at__isnull=not deleted)


def class_items(item: Item) -> list[Item]:
    """The items sharing ``item``'s class (same fonds, category, volume, year, retention and
    机构), in number order."""
    return list(_class_filter(item).select_related("fonds", "category", "volume").order_by("number", "id"))


def renumber(actor: Actor, items: Iterable[Item], *, reason: str = "") -> list[Item]:
    """Give the items of one class the numbers 1…N in the order given (档号调整). The list
    must be the whole class; withdrawn items of the class give up their codes. One audit
    event lists every code that changed."""
    ordered = list(items)

    def body() -> list[Item]:
        if not ordered:
            raise RenumberInvalid(_("Choose the items to renumber."))
        first = ordered[0]
        _reach_fonds(actor, first.fonds)
        with transaction.atomic():
            # Lock the class (FOR UPDATE) before reading it, so a concurrent edit waits.
            list(_class_filter(first, deleted=None).select_for_update().values_list("pk", flat=True))
            members = class_items(first)
            wanted = [m.pk for m in ordered]
            if len(set(wanted)) != len(wanted) or set(wanted) != {m.pk for m in members}:
                raise RenumberInvalid(
                    _("The list must contain every item of the class exactly once (%(count)s items)."),
                    count=len(members),
                )
            if any(m.security_level > actor.clearance for m in members):
                raise NotFound()
            by_pk = {m.pk: m for m in members}
            level = CodeLevel.VOLUME_ITEM if first.volume_id else CodeLevel.ITEM
            rule = codes.rule_for(first.fonds, first.category, level)
            values = _code_values(first.fonds, first.category, first, first.volume)
            before = {str(m.public_id): m.archival_code for m in members}
            withdrawn = _class_filter(first, deleted=True).exclude(archival_code="")
            for gone in withdrawn:
                gone.extra = {**(gone.extra or {}), "withdrawn_archival_code": gone.archival_code}
                gone.archival_code = ""
                gone.save(update_fields=["extra", "archival_code"])
            # Two passes so that the unique index never sees two rows with one code.
            Item.objects.filter(pk__in=wanted).update(archival_code="")
            now = timezone.now()
            changed: list[Item] = []
            for position, pk in enumerate(wanted, start=1):
                unit = by_pk[pk]
                unit.number = position
                unit.archival_code = codes.render(rule.components, {**values, "number": position})
                unit.updated_at = now
                changed.append(unit)
            try:
                with transaction.atomic():
                    Item.objects.bulk_update(changed, ["number", "archival_code", "updated_at"])
            except IntegrityError:
                # Only possible when another class already uses these codes (a changed rule).
                raise RenumberInvalid(
                    _("The new archival codes collide with codes used elsewhere in the fonds.")
                ) from None
            counter, _created = ArchivalCodeCounter.objects.get_or_create(
                rule=rule, scope_key=codes.class_key(rule.components, values)
            )
            ArchivalCodeCounter.objects.filter(pk=counter.pk).update(last_number=len(changed))
            after = {str(m.public_id): m.archival_code for m in changed}
            old, new = _diff(before, after)
            audit.record(
                actor,
                "catalog.item.renumber",
                object_type="item_class",
                object_id=codes.class_key(rule.components, values),
                before=old,
                after=new,
                message=(reason or "").strip()[:500],
                institution_id=first.fonds.institution_id,
            )
            hooks.items_changed([m.pk for m in changed])
        return changed

    return _guarded(actor, "catalog.item.renumber", "catalog.edit", body, object_type="item_class")


def insert_at(actor: Actor, item: Item, position: int, *, reason: str = "") -> list[Item]:
    """Move ``item`` to ``position`` (1-based) within its class; the items from that position
    on move down by one (插件 / 档号调整)."""
    members = class_items(item)
    rest = [m for m in members if m.pk != item.pk]
    if len(rest) == len(members):
        raise RenumberInvalid(_("The item is not part of a class that can be renumbered."))
    if not 1 <= position <= len(members):
        raise RenumberInvalid(
            _("The position must be between 1 and %(count)s."),
            count=len(members),
            details={"position": position},
        )
    target = next(m for m in members if m.pk == item.pk)
    rest.insert(position - 1, target)
    return renumber(actor, rest, reason=reason)


# ---- categories, schemes, code rules --------------------------------------------------------

CATEGORY_EDITABLE = ("name", "name_en", "arrangement", "uses_projects", "is_active", "sort_order")


def update_category(actor: Actor, category: Category, **changes: Any) -> Category:
    def body() -> Category:
        unknown = set(changes) - set(CATEGORY_EDITABLE)
        if unknown:
            raise ValidationFailed(details={"unknown": sorted(unknown)})
        if "arrangement" in changes and changes["arrangement"] not in Arrangement.values:
            raise ValidationFailed(details=[{"field": "arrangement", "rule": "choice"}])
        if "name" in changes and not str(changes["name"]).strip():
            raise ValidationFailed(details=[{"field": "name", "rule": "required"}])
        with transaction.atomic():
            before = {k: getattr(category, k) for k in CATEGORY_EDITABLE}
            for key, value in changes.items():
                setattr(category, key, value.strip() if isinstance(value, str) else value)
            category.save()
            old, new = _diff(before, {k: getattr(category, k) for k in CATEGORY_EDITABLE})
            audit.record(
                actor,
                "catalog.category.update",
                object_type="category",
                object_id=category.code,
                before=old,
                after=new,
            )
        return category

    return _guarded(actor, "catalog.category.update", "catalog.configure", body, object_type="category")


FIELD_EDITABLE = (
    "name",
    "name_en",
    "m_number",
    "data_type",
    "required",
    "max_length",
    "choices",
    "pattern",
    "order",
    "help_text",
    "aliases",
)


def _field_spec_errors(spec: Mapping[str, Any], *, is_core: bool) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = []

    def bad(field: str, rule: str, message: str) -> None:
        problems.append({"field": field, "rule": rule, "message": message})

    if "code" in spec and not FIELD_CODE_RE.fullmatch(str(spec["code"])):
        bad(
            "code",
            "pattern",
            gettext("A field code is lower-case letters, digits and _ starting with a letter."),
        )
    if "name" in spec and not str(spec["name"]).strip():
        bad("name", "required", gettext("The field needs a Chinese name."))
    if "data_type" in spec and spec["data_type"] not in FieldType.values:
        bad("data_type", "choice", gettext("Unknown data type."))
    if is_core and "data_type" in spec:
        bad("data_type", "reasonableness", gettext("The data type of a core field cannot change."))
    if spec.get("pattern"):
        try:
            re.compile(str(spec["pattern"]))
        except re.error:
            bad("pattern", "pattern", gettext("The pattern is not a valid regular expression."))
    if "choices" in spec:
        choices = spec["choices"]
        if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
            bad("choices", "choice", gettext("The value domain is a list of non-empty texts."))
    if "aliases" in spec:
        aliases = spec["aliases"]
        if not isinstance(aliases, list) or not all(isinstance(c, str) and c.strip() for c in aliases):
            bad("aliases", "choice", gettext("Aliases are a list of non-empty texts."))
    if spec.get("max_length") is not None:
        try:
            if int(spec["max_length"]) < 1:
                raise ValueError
        except (TypeError, ValueError):
            bad("max_length", "integer", gettext("The maximum length is a whole number above zero."))
    if spec.get("data_type") == FieldType.CHOICE and not spec.get("choices") and not is_core:
        bad("choices", "required", gettext("A choice field needs a value domain."))
    return problems


def _field_snapshot(f: MetadataField) -> dict[str, Any]:
    return {"code": f.code, **{k: getattr(f, k) for k in FIELD_EDITABLE}}


def new_scheme_version(actor: Actor, category: Category, *, note: str = "") -> MetadataScheme:
    """Copy the current scheme into a new version and make it current; items keep the version
    they were described with."""

    def body() -> MetadataScheme:
        with transaction.atomic():
            current = (
                MetadataScheme.objects.select_for_update().filter(category=category, is_current=True).first()
            )
            top = MetadataScheme.objects.filter(category=category).aggregate(m=Max("version"))["m"] or 0
            name = current.name if current else f"{category.name}元数据方案"
            if current is not None:
                current.is_current = False
                current.save(update_fields=["is_current"])
            scheme = MetadataScheme.objects.create(
                category=category, version=top + 1, name=name, is_current=True, note=note
            )
            if current is not None:
                MetadataField.objects.bulk_create(
                    [
                        MetadataField(
                            scheme=scheme,
                            code=f.code,
                            is_core=f.is_core,
                            **{k: getattr(f, k) for k in FIELD_EDITABLE},
                        )
                        for f in current.fields.all()
                    ]
                )
            audit.record(
                actor,
                "catalog.scheme.new_version",
                object_type="scheme",
                object_id=scheme.pk,
                before={"version": current.version if current else None},
                after={"category": category.code, "version": scheme.version, "note": note},
            )
            validation.clear_cache()
        return scheme

    return _guarded(actor, "catalog.scheme.new_version", "catalog.configure", body, object_type="scheme")


def add_field(actor: Actor, scheme: MetadataScheme, **spec: Any) -> MetadataField:
    def body() -> MetadataField:
        unknown = set(spec) - set(FIELD_EDITABLE) - {"code"}
        if unknown:
            raise SchemeInvalid(
                details=[{"field": k, "rule": "unknown_code", "message": k} for k in sorted(unknown)]
            )
        problems = _field_spec_errors({"name": "", **spec} if "name" not in spec else spec, is_core=False)
        if "code" not in spec:
            problems.append(
                {"field": "code", "rule": "required", "message": gettext("The field needs a code.")}
            )
        if problems:
            raise SchemeInvalid(details=problems)
        with transaction.atomic():
            if MetadataField.objects.filter(scheme=scheme, code=spec["code"]).exists():
                raise SchemeInvalid(
                    details=[
                        {
                            "field": "code",
                            "rule": "unique",
                            "message": gettext("The scheme already has this field."),
                        }
                    ]
                )
            data = {k: v for k, v in spec.items() if k != "code"}
            data.setdefault("order", (scheme.fields.aggregate(m=Max("order"))["m"] or 0) + 10)
            f = MetadataField.objects.create(scheme=scheme, code=spec["code"], is_core=False, **data)
            audit.record(
                actor,
                "catalog.scheme.add_field",
                object_type="scheme",
                object_id=scheme.pk,
                after=_field_snapshot(f),
            )
            validation.clear_cache()
        return f

    return _guarded(actor, "catalog.scheme.add_field", "catalog.configure", body, object_type="scheme")


def update_field(actor: Actor, field: MetadataField, **changes: Any) -> MetadataField:
    def body() -> MetadataField:
        unknown = set(changes) - set(FIELD_EDITABLE)
        if unknown:
            raise SchemeInvalid(
                details=[{"field": k, "rule": "unknown_code", "message": k} for k in sorted(unknown)]
            )
        core_changes = dict(changes)
        if field.is_core and core_changes.get("data_type") == field.data_type:
            core_changes.pop("data_type")
        problems = _field_spec_errors(core_changes, is_core=field.is_core)
        merged = {**_field_snapshot(field), **changes}
        if merged["data_type"] == FieldType.CHOICE and not merged["choices"] and not field.is_core:
            problems.append(
                {
                    "field": "choices",
                    "rule": "required",
                    "message": gettext("A choice field needs a value domain."),
                }
            )
        if problems:
            raise SchemeInvalid(details=problems)
        with transaction.atomic():
            before = _field_snapshot(field)
            for key, value in changes.items():
                setattr(field, key, value.strip() if isinstance(value, str) else value)
            field.save()
            old, new = _diff(before, _field_snapshot(field))
            audit.record(
                actor,
                "catalog.scheme.update_field",
                object_type="scheme",
                object_id=field.scheme_id,
                before={"code": field.code, **old},
                after={"code": field.code, **new},
            )
            validation.clear_cache()
        return field

    return _guarded(actor, "catalog.scheme.update_field", "catalog.configure", body, object_type="scheme")


def remove_field(actor: Actor, field: MetadataField) -> None:
    """Extra fields only; values already stored in items stay in their ``extra``."""

    def body() -> None:
        if field.is_core:
            raise SchemeInvalid(
                details=[
                    {
                        "field": "code",
                        "rule": "reasonableness",
                        "message": gettext("Core fields cannot be removed."),
                    }
                ]
            )
        with transaction.atomic():
            before = _field_snapshot(field)
            scheme_id = field.scheme_id
            field.delete()
            audit.record(
                actor, "catalog.scheme.remove_field", object_type="scheme", object_id=scheme_id, before=before
            )
            validation.clear_cache()

    _guarded(actor, "catalog.scheme.remove_field", "catalog.configure", body, object_type="scheme")


def _rule_snapshot(rule: ArchivalCodeRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "fonds": rule.fonds.code if rule.fonds_id and rule.fonds else None,
        "category": rule.category.code,
        "level": rule.level,
        "components": rule.components,
        "is_active": rule.is_active,
    }


def save_code_rule(
    actor: Actor,
    *,
    category: Category,
    level: str,
    components: list[dict[str, Any]],
    fonds: Fonds | None = None,
    name: str = "",
    is_active: bool = True,
) -> ArchivalCodeRule:
    """Create or replace the rule for fonds × category × level (``fonds=None``: the default).
    Existing codes keep their form; numbers in a class whose form changed start again at the
    highest number already used there only if the new form renders the same class key."""

    def body() -> ArchivalCodeRule:
        if fonds is not None:
            _reach_fonds(actor, fonds)
        if level not in CodeLevel.values:
            raise ValidationFailed(details=[{"field": "level", "rule": "choice"}])
        codes.validate_components(components)
        with transaction.atomic():
            rule = (
                ArchivalCodeRule.objects.select_for_update()
                .filter(fonds=fonds, category=category, level=level)
                .first()
            )
            before = _rule_snapshot(rule) if rule else None
            if rule is None:
                rule = ArchivalCodeRule(fonds=fonds, category=category, level=level)
            rule.components = components
            rule.name = name.strip() or rule.name or f"{category.code} {codes.example(components)}"
            rule.is_active = is_active
            rule.save()
            audit.record(
                actor,
                "catalog.code_rule.save",
                object_type="code_rule",
                object_id=rule.pk,
                before=before,
                after=_rule_snapshot(rule),
            )
        return rule

    return _guarded(actor, "catalog.code_rule.save", "catalog.configure", body, object_type="code_rule")


def retention_by_code(code: str) -> RetentionPeriod:
    found = RetentionPeriod.objects.filter(code=code).first()
    if found is None:
        raise NotFound()
    return found
