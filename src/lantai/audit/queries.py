"""Reading the audit log: only holders of ``audit.view`` (the audit administrator)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import QuerySet

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent


def filtered_events(
    actor: Actor,
    *,
    actor_name: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    actor.require("audit.view")
    qs = AuditEvent.objects.all()
    if actor_name:
        qs = qs.filter(actor_name__icontains=actor_name)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs.order_by("-seq")


def events_for(
    actor: Actor, *, limit: int = 100, before_seq: int | None = None, **filters: object
) -> Iterator[AuditEvent]:
    """Keyset-paginated page of events, newest first."""
    qs = filtered_events(actor, **filters)  # type: ignore[arg-type]
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    return iter(qs[: max(1, min(limit, 1000))])
