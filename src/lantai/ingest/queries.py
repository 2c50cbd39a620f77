"""Permission-checked reads of submissions: the data scope is applied inside the query."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from lantai.accounts.actor import Actor
from lantai.core.errors import NotFound
from lantai.ingest.models import Submission, SubmissionItem


def visible_submissions(actor: Actor) -> QuerySet[Submission]:
    """Staff with ``ingest.review`` see submissions of institutions in their scope; a
    business system (API key with ``ingest.submit``) sees its own institution's."""
    qs = Submission.objects.select_related("fonds", "category", "institution")
    if not (actor.has("ingest.review") or actor.has("ingest.submit")):
        return qs.none()
    if actor.institution_scope is not None:
        qs = qs.filter(institution_id__in=actor.institution_scope)
    return qs


def access_submission(actor: Actor, public_id: UUID | str) -> Submission:
    try:
        key = public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc
    sub = visible_submissions(actor).filter(public_id=key).first()
    if sub is None:
        raise NotFound()
    return sub


def queue(actor: Actor) -> QuerySet[Submission]:
    """预归档库: passed submissions waiting for review and acceptance."""
    if not actor.has("ingest.review"):
        return Submission.objects.none()
    return visible_submissions(actor).filter(status=Submission.Status.PASSED).order_by("received_at")


def preview_codes(submission: Submission) -> dict[int, str]:
    """The 档号 each item would get now (numbers are allocated only at acceptance, so the
    preview may shift if other items are archived in between)."""
    from lantai.catalog import codes
    from lantai.catalog.models import ArchivalCodeCounter
    from lantai.ingest.services import catalogue_values

    try:
        rule = codes.rule_for(submission.fonds, submission.category)
    except Exception:  # no rule configured: nothing to preview
        return {}
    kind = codes.counter_kind(rule.components)
    pending: dict[str, int] = {}
    out: dict[int, str] = {}
    item: SubmissionItem
    for item in submission.items.order_by("seq"):
        values: dict[str, Any] = catalogue_values(submission, item.values)
        if values.get("archival_code"):
            out[item.seq] = str(values["archival_code"])
            continue
        try:
            scope = codes.class_key(rule.components, values)
            if scope not in pending:
                counter = ArchivalCodeCounter.objects.filter(rule=rule, scope_key=scope).first()
                pending[scope] = counter.last_number if counter else 0
            pending[scope] += 1
            out[item.seq] = codes.render(rule.components, {**values, kind: pending[scope]})
        except Exception:  # incomplete metadata: the archivist fixes it first
            out[item.seq] = ""
    return out
