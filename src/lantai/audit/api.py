"""API routes of the audit log (audit administrator only)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from lantai.accounts.api import actor_of
from lantai.audit import premis, queries, services
from lantai.audit.models import AuditEvent
from lantai.core.errors import PermissionDenied

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    occurred_at: datetime
    actor_kind: str
    actor_name: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    ip: str
    before: dict | list | None
    after: dict | list | None
    message: str


class AuditFilter(Schema):
    actor_name: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(100, ge=1, le=1000, description="events per page (1–1000)")
    before_seq: int | None = None


@router.get(
    "/events", response=list[AuditEventOut], summary="Audit events, newest first (audit administrator)"
)
def list_events(request: HttpRequest, filters: Query[AuditFilter]) -> list[object]:
    actor = actor_of(request)
    asked = {k: str(v) for k, v in filters.dict().items() if v is not None}
    try:
        events: list[object] = list(queries.events_for(actor, **filters.dict()))
    except PermissionDenied:
        # Attempts to read the log are exactly what the audit administrator wants to see.
        services.record_failure(
            actor, "audit.viewed", object_type="audit_log", outcome=AuditEvent.Outcome.DENIED
        )
        raise
    with transaction.atomic():
        services.record(actor, "audit.viewed", object_type="audit_log", after={"filters": asked})
    return events


@router.get(
    "/events/premis",
    response=dict,
    summary="Audit events as PREMIS 3 events in JSON, oldest first (audit administrator)",
)
def premis_events(request: HttpRequest, filters: Query[AuditFilter]) -> dict:
    actor = actor_of(request)
    asked = {k: str(v) for k, v in filters.dict().items() if v is not None}
    try:
        events = sorted(queries.events_for(actor, **filters.dict()), key=lambda e: e.seq)
    except PermissionDenied:
        services.record_failure(
            actor, "audit.exported", object_type="audit_log", outcome=AuditEvent.Outcome.DENIED
        )
        raise
    with transaction.atomic():
        services.record(
            actor,
            "audit.exported",
            object_type="audit_log",
            after={"format": "premis-json", "filters": asked},
        )
    return premis.premis_document(events)
