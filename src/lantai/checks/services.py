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
from lantai.checks.models import CheckItem, CheckScheme, CheckSchemeItem
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
