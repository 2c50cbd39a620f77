"""Writing audit events: one per archival action, in the same transaction as the action.

``record`` must be called inside the transaction of the action it describes, so that the
event and the change commit or roll back together. ``record_failure`` is for refusals:
the action's transaction has rolled back, so the event is written in a fresh one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent, ChainHead
from lantai.core import context
from lantai.core.errors import LantaiError
from lantai.core.hashing import sm3_hex

GENESIS_HASH = "0" * 64


def _json_safe(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True))


def canonical(fields: dict[str, Any]) -> str:
    """The exact text that is hashed: sorted keys, no spaces, UTC timestamps to the microsecond."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_fields(event: AuditEvent) -> dict[str, Any]:
    occurred = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "seq": event.seq,
        "occurred_at": occurred,
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "institution_id": event.institution_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "outcome": event.outcome,
        "message": event.message,
        "ip": event.ip,
        "request_id": event.request_id,
    }


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return sm3_hex((prev_hash + canonical(event_fields(event))).encode("utf-8"))


class AuditChainBroken(LantaiError):
    code = "audit.chain_head_missing"
    http_status = 500
    default_message = _(
        "The audit chain head is missing while events exist; run `lantai audit verify`. Nothing was changed."
    )


def _locked_head() -> ChainHead:
    """The chain head, locked until the caller's transaction ends: writers queue here, so
    two events can never claim the same predecessor (no fork)."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if AuditEvent.objects.exists():
        # Starting a new chain over old events would hide whatever removed the head; refuse
        # every audited action instead (fail closed) until an operator looks.
        raise AuditChainBroken()
    # Empty log (fresh or flushed database): create the head; ignore_conflicts lets two
    # first writers race without an IntegrityError, the lock then orders them.
    ChainHead.objects.bulk_create(
        [ChainHead(pk=1, last_seq=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
    )
    return ChainHead.objects.select_for_update().get(pk=1)


def record(
    actor: Actor | None,
    action: str,
    *,
    object_type: str = "",
    object_id: Any = "",
    before: Any = None,
    after: Any = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    message: str = "",
    institution_id: int | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    actor = actor or Actor.system()
    ctx = context.current()
    when = occurred_at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    # Inside the caller's transaction (the normal case) no savepoint is taken: it would cost two
    # more round trips per event, and a failed event write must fail the whole action anyway.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=when,
            actor_kind=actor.kind,
            actor_id=str(actor.id)[:64],
            actor_name=actor.name[:150],
            institution_id=institution_id if institution_id is not None else actor.institution_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64] if object_id != "" else "",
            before=_json_safe(before),
            after=_json_safe(after),
            outcome=outcome,
            message=message,
            ip=ctx.ip,
            request_id=ctx.request_id,
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(head.last_hash, event)
        event.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
        return event


def record_failure(actor: Actor | None, action: str, **kwargs: Any) -> AuditEvent:
    """Record a refused or failed action after its own transaction has rolled back."""
    kwargs.setdefault("outcome", AuditEvent.Outcome.FAILURE)
    if transaction.get_connection().in_atomic_block:
        # Still inside an outer transaction (e.g. a test): a savepoint keeps it consistent.
        return record(actor, action, **kwargs)
    with transaction.atomic():
        return record(actor, action, **kwargs)
