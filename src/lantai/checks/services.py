"""Editing the check catalogue and schemes (system.configure): validated first, one transaction,
one audit event with before/after per change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.checks.models import CheckItem, CheckScheme, CheckSchemeItem
from lantai.core.errors import ValidationFailed

EDITABLE_ITEM_FIELDS = ("name", "purpose", "method", "blocking", "is_active")


class CheckItemInvalid(ValidationFailed):
    code = "checks.item_invalid"
    default_message = _("The check item is not valid: %(reason)s")


class SchemeInvalid(ValidationFailed):
    code = "checks.scheme_invalid"
    default_message = _("The check scheme is not valid: %(reason)s")


def _item_state(item: CheckItem) -> dict[str, Any]:
    return {f: getattr(item, f) for f in EDITABLE_ITEM_FIELDS}


def update_item(actor: Actor, item: CheckItem, values: Mapping[str, Any]) -> CheckItem:
    actor.require("system.configure")
    changes = {k: v for k, v in values.items() if k in EDITABLE_ITEM_FIELDS}
    name = str(changes.get("name", item.name)).strip()
    if not name:
        raise CheckItemInvalid(reason=_("the name is empty"), details={"field": "name"})
    if len(name) > 100:
        raise CheckItemInvalid(reason=_("the name is longer than 100 characters"), details={"field": "name"})
    if "name" in changes:
        changes["name"] = name
    with transaction.atomic():
        locked = CheckItem.objects.select_for_update().get(pk=item.pk)
        before = _item_state(locked)
        for key, value in changes.items():
            setattr(locked, key, bool(value) if key in ("blocking", "is_active") else str(value))
        locked.save()
        after = _item_state(locked)
        audit.record(
            actor,
            "checks.item_updated",
            object_type="check_item",
            object_id=locked.code,
            before=before,
            after=after,
        )
    return locked


@dataclass(frozen=True)
class EntrySpec:
    item_code: str
    order: int
    blocking: bool | None = None  # None: the item's own flag


def _scheme_state(scheme: CheckScheme) -> list[dict[str, Any]]:
    return [
        {"item": e.item.code, "order": e.order, "blocking": e.blocking}
        for e in scheme.entries.select_related("item").order_by("order", "item__code")
    ]


def set_scheme_entries(
    actor: Actor, scheme: CheckScheme, entries: Sequence[EntrySpec], *, name: str | None = None
) -> CheckScheme:
    """Replace the scheme's items (order, blocking override); params of kept items are preserved."""
    actor.require("system.configure")
    codes = [e.item_code for e in entries]
    if len(set(codes)) != len(codes):
        raise SchemeInvalid(reason=_("an item is listed twice"), details={"items": codes})
    items = {i.code: i for i in CheckItem.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in items]
    if unknown:
        raise SchemeInvalid(reason=_("unknown check items"), details={"items": unknown})
    wrong_stage = [c for c in codes if items[c].stage != scheme.stage]
    if wrong_stage:
        raise SchemeInvalid(reason=_("items of another stage"), details={"items": wrong_stage})
    if name is not None and not name.strip():
        raise SchemeInvalid(reason=_("the name is empty"), details={"field": "name"})
    with transaction.atomic():
        locked = CheckScheme.objects.select_for_update().get(pk=scheme.pk)
        before = {"name": locked.name, "entries": _scheme_state(locked)}
        existing = {e.item.code: e for e in locked.entries.select_related("item")}
        for code, entry in existing.items():
            if code not in codes:
                entry.delete()
        for spec in entries:
            row = existing.get(spec.item_code) or CheckSchemeItem(scheme=locked, item=items[spec.item_code])
            row.order = spec.order
            row.blocking = spec.blocking
            row.save()
        if name is not None:
            locked.name = name.strip()
            locked.save(update_fields=["name"])
        after = {"name": locked.name, "entries": _scheme_state(locked)}
        audit.record(
            actor,
            "checks.scheme_updated",
            object_type="check_scheme",
            object_id=locked.code,
            before=before,
            after=after,
        )
    return locked
