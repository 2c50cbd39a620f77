"""Writes of the checks app: editing the catalogue and schemes (system.configure) and recording a
person's decision on a 待人工 item (ingest.review). Validated first, one transaction, one audit
event with before/after per change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.checks.models import AllowedFormat, CheckItem, CheckScheme, CheckSchemeItem
from lantai.checks.package import Outcome
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
    params: dict[str, Any] | None = None  # None: keep what the entry has


def _scheme_state(scheme: CheckScheme) -> list[dict[str, Any]]:
    return [
        {"item": e.item.code, "order": e.order, "blocking": e.blocking, "params": e.params}
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
    bad_params = [e.item_code for e in entries if e.params is not None and not isinstance(e.params, dict)]
    if bad_params:
        raise SchemeInvalid(reason=_("parameters must be a JSON object"), details={"items": bad_params})
    known_formats = set(AllowedFormat.objects.values_list("code", flat=True))
    for e in entries:
        formats = (e.params or {}).get("formats")
        if formats is not None and (
            not isinstance(formats, list) or not set(map(str, formats)) <= known_formats
        ):
            raise SchemeInvalid(
                reason=_("unknown archiving formats"), details={"item": e.item_code, "formats": formats}
            )
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
            if spec.params is not None:
                row.params = spec.params
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


class DecisionInvalid(ValidationFailed):
    code = "checks.decision_invalid"
    default_message = _("The decision cannot be recorded: %(reason)s")


DECIDABLE = ("manual", "not_performed")
DECISIONS = ("passed", "failed")


def decide_result(actor: Actor, run_public_id: str, position: int, outcome: str, note: str) -> Any:
    """Record a person's result for a 待人工 (or 未执行) item of a stored run; the run's outcome and
    report are recomputed and the subject's app is told through ``hooks.run_changed``."""
    from django.utils import timezone

    from lantai.checks import hooks, queries
    from lantai.checks.models import CheckResult as ResultRow
    from lantai.checks.models import CheckRun
    from lantai.checks.runner import CheckReport

    actor.require("ingest.review")
    run = queries.access_run(actor, run_public_id)
    note = (note or "").strip()
    if outcome not in DECISIONS:
        raise DecisionInvalid(reason=_("choose passed or failed"), details={"outcome": outcome})
    if not note:
        raise DecisionInvalid(reason=_("say what was checked"), details={"field": "note"})
    with transaction.atomic():
        locked = CheckRun.objects.select_for_update().get(pk=run.pk)
        row = ResultRow.objects.filter(run=locked, position=position).first()
        if row is None:
            raise DecisionInvalid(reason=_("no such result"), details={"position": position})
        if row.outcome not in DECIDABLE:
            raise DecisionInvalid(
                reason=_("only pending items can be decided"), details={"outcome": row.outcome}
            )
        before = {
            "code": row.code,
            "target": row.target,
            "outcome": row.outcome,
            "run_outcome": locked.outcome,
        }
        when = timezone.now()
        decision = {"by": actor.name, "at": when.isoformat(), "note": note[:1000], "previous": row.outcome}
        row.outcome = outcome
        row.evidence = {**(row.evidence or {}), "decision": decision}
        row.decided_by = actor.name[:150]
        row.decided_at = when
        row.save(update_fields=["outcome", "evidence", "decided_by", "decided_at"])
        report = CheckReport.from_json(locked.report)
        result = report.results[position]
        result.outcome = Outcome(outcome)
        result.evidence = row.evidence
        locked.report = report.to_json()
        locked.outcome = report.outcome
        locked.summary = report.summary()
        locked.save(update_fields=["report", "outcome", "summary"])
        audit.record(
            actor,
            "checks.result_decided",
            object_type=locked.subject_type,
            object_id=locked.subject_id,
            institution_id=locked.institution_id,
            before=before,
            after={**before, "outcome": outcome, "run_outcome": locked.outcome, "note": note[:1000]},
        )
        hooks.run_changed(locked)
    return locked


FORMAT_FIELDS = ("name", "mime_types", "puids", "extensions", "outcome", "note", "is_active")


def _format_state(fmt: AllowedFormat) -> dict[str, Any]:
    return {f: getattr(fmt, f) for f in FORMAT_FIELDS}


class FormatInvalid(ValidationFailed):
    code = "checks.format_invalid"
    default_message = _("The archiving format is not valid: %(reason)s")


def _clean_list(value: Any, *, lower: bool = False) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    out = []
    for raw in items:
        text = str(raw).strip().lstrip(".") if lower else str(raw).strip()
        if text:
            out.append(text.lower() if lower else text)
    return out


def save_format(actor: Actor, code: str, values: Mapping[str, Any]) -> AllowedFormat:
    """Create or update an archiving format (identified by content: MIME types and PRONOM ids)."""
    actor.require("system.configure")
    code = (code or "").strip().upper()
    if not code or len(code) > 20 or not code.replace("_", "").isalnum():
        raise FormatInvalid(reason=_("the code must be 1–20 letters or digits"), details={"field": "code"})
    name = str(values.get("name", "")).strip()
    if not name:
        raise FormatInvalid(reason=_("the name is empty"), details={"field": "name"})
    mimes = _clean_list(values.get("mime_types"))
    if not mimes or any("/" not in m for m in mimes):
        raise FormatInvalid(
            reason=_("give at least one MIME type such as application/pdf"), details={"field": "mime_types"}
        )
    outcome = str(values.get("outcome", "passed"))
    if outcome not in ("passed", "warning"):
        raise FormatInvalid(reason=_("the result must be passed or warning"), details={"field": "outcome"})
    with transaction.atomic():
        fmt = AllowedFormat.objects.select_for_update().filter(code=code).first()
        before = _format_state(fmt) if fmt else None
        fmt = fmt or AllowedFormat(code=code)
        fmt.name = name[:100]
        fmt.mime_types = mimes
        fmt.puids = _clean_list(values.get("puids"))
        fmt.extensions = _clean_list(values.get("extensions"), lower=True)
        fmt.outcome = outcome
        fmt.note = str(values.get("note", "")).strip()[:300]
        fmt.is_active = bool(values.get("is_active", True))
        fmt.save()
        audit.record(
            actor,
            "checks.format_saved",
            object_type="allowed_format",
            object_id=code,
            before=before,
            after=_format_state(fmt),
        )
    return fmt
