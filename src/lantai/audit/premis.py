"""The audit log as PREMIS 3 events in JSON: the shape preservation systems exchange.

Each audit event becomes one PREMIS event (eventIdentifier, eventType, eventDateTime,
eventDetailInformation, eventOutcomeInformation, linkingAgentIdentifier,
linkingObjectIdentifier); the chain link (previous hash, SM3 hash) travels along so that a
receiver can re-verify the exported range.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from lantai.audit.models import AuditEvent

PREMIS_VERSION = "3.0"
IDENTIFIER_TYPE = "lantai-audit-seq"


def premis_event(event: AuditEvent) -> dict[str, Any]:
    agents = []
    if event.actor_kind or event.actor_name:
        agents.append(
            {
                "linkingAgentIdentifierType": f"lantai-{event.actor_kind or 'agent'}",
                "linkingAgentIdentifierValue": event.actor_id or event.actor_name,
                "linkingAgentRole": ["executing program" if event.actor_kind == "system" else "implementer"],
                "agentName": event.actor_name,
            }
        )
    objects = []
    if event.object_type or event.object_id:
        objects.append(
            {
                "linkingObjectIdentifierType": f"lantai-{event.object_type or 'object'}",
                "linkingObjectIdentifierValue": event.object_id,
            }
        )
    detail: dict[str, Any] = {}
    if event.before is not None:
        detail["before"] = event.before
    if event.after is not None:
        detail["after"] = event.after
    if event.ip:
        detail["ip"] = event.ip
    if event.request_id:
        detail["requestId"] = event.request_id
    return {
        "eventIdentifier": {"eventIdentifierType": IDENTIFIER_TYPE, "eventIdentifierValue": str(event.seq)},
        "eventType": event.action,
        "eventDateTime": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "eventDetailInformation": [{"eventDetail": event.message, "eventDetailExtension": detail}],
        "eventOutcomeInformation": [{"eventOutcome": event.outcome}],
        "linkingAgentIdentifier": agents,
        "linkingObjectIdentifier": objects,
        "lantaiChain": {"hashAlgorithm": "SM3", "previousHash": event.prev_hash, "hash": event.hash},
    }


def premis_document(events: Iterable[AuditEvent], *, institution: str = "") -> dict[str, Any]:
    items = [premis_event(e) for e in events]
    return {
        "premisVersion": PREMIS_VERSION,
        "source": "Lantai 兰台 audit log",
        "institution": institution,
        "events": items,
    }
