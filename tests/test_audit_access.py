"""Only the audit administrator (安全审计员, permission ``audit.view``) reads the audit log: the
page answers 404 and the API 403 for everyone else, the system administrator included.
Filters narrow the list; the CSV export opens in Excel (UTF-8 BOM) and is itself audited."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.audit.models import AuditEvent
from lantai.audit.verify import verify_chain

PAGE = "/system/audit/"
EXPORT = "/system/audit/export.csv"
API = "/api/v1/audit/events"


@pytest.fixture
def sample_events(db):
    with transaction.atomic():
        audit.record(Actor.system("王五"), "catalog.item_created", object_type="item", object_id="I-1")
        audit.record(
            Actor.system("赵六"),
            "catalog.item_deleted",
            object_type="item",
            object_id="I-2",
            outcome=AuditEvent.Outcome.DENIED,
        )
        audit.record(
            Actor.system("赵六"),
            "ingest.accepted",
            object_type="package",
            object_id="P-1",
            occurred_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
        )


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "archivist", "reader"])
def test_others_get_404_on_the_page_and_export(request, logged_in, sample_events, who):
    client = logged_in(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "archivist", "reader"])
def test_others_get_403_from_the_api_and_the_attempt_is_recorded(request, logged_in, sample_events, who):
    user = request.getfixturevalue(who)
    response = logged_in(user).get(API)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    denied = AuditEvent.objects.get(action="audit.viewed")
    assert denied.outcome == AuditEvent.Outcome.DENIED and denied.actor_name == user.display_name


def test_anonymous_is_sent_to_login_and_refused_by_api(client, sample_events):
    assert client.get(PAGE).status_code == 302
    assert client.get(API).status_code == 401


def test_auditor_sees_the_page_in_chinese_with_filters(logged_in, auditor, sample_events):
    client = logged_in(auditor)
    page = client.get(PAGE).content.decode()
    assert "审计日志" in page
    assert "catalog.item_created" in page and "ingest.accepted" in page
    page = client.get(PAGE, {"action": "catalog.", "outcome": "denied"}).content.decode()
    assert "catalog.item_deleted" in page
    assert "catalog.item_created" not in page and "ingest.accepted" not in page
    page = client.get(PAGE, {"actor": "王五"}).content.decode()
    assert "catalog.item_created" in page and "catalog.item_deleted" not in page
    page = client.get(PAGE, {"since": "2020-01-01", "until": "2020-01-02"}).content.decode()
    assert "ingest.accepted" in page and "catalog.item_created" not in page
    # An impossible date is ignored rather than answered with a server error.
    response = client.get(PAGE, {"since": "2020-13-45"})
    assert response.status_code == 200 and "catalog.item_created" in response.content.decode()


def test_page_paginates_by_seq(logged_in, auditor, sample_events):
    with transaction.atomic():
        for i in range(60):
            audit.record(Actor.system("批量"), "test.bulk", object_id=f"B-{i:02d}")
    client = logged_in(auditor)
    first = client.get(PAGE, {"action": "test.bulk"})
    older = first.context["next_before"]
    assert older is not None and len(first.context["events"]) == 50
    second = client.get(PAGE, {"action": "test.bulk", "before": older})
    seqs = [e.seq for e in second.context["events"]]
    assert len(seqs) == 10 and max(seqs) < older


def test_csv_export_has_bom_header_rows_and_is_audited(logged_in, auditor, sample_events):
    response = logged_in(auditor).get(EXPORT, {"actor": "赵六"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["seq", "occurred_at", "actor_kind", "actor_name", "action"]
    assert sorted(r[4] for r in rows[1:]) == ["catalog.item_deleted", "ingest.accepted"]
    assert all(r[3] == "赵六" for r in rows[1:])
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_name == auditor.display_name
    assert exported.after == {"filters": {"actor_name": "赵六"}}
    assert verify_chain().ok


def test_api_lists_filters_and_records_the_reading(logged_in, auditor, sample_events):
    client = logged_in(auditor)
    data = client.get(API, {"action": "catalog."}).json()
    assert [e["action"] for e in data] == ["catalog.item_deleted", "catalog.item_created"]  # newest first
    viewed = AuditEvent.objects.get(action="audit.viewed")
    assert viewed.outcome == AuditEvent.Outcome.SUCCESS
    assert viewed.after["filters"]["action"] == "catalog."
    older = client.get(API, {"before_seq": data[0]["seq"], "action": "catalog."}).json()
    assert [e["action"] for e in older] == ["catalog.item_created"]
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    recent = client.get(API, {"since": since, "object_type": "package"}).json()
    assert recent == []  # the package event is from 2020
    assert verify_chain().ok


def test_premis_export_is_chained_in_order_and_audited(logged_in, auditor, sample_events):
    response = logged_in(auditor).get(API + "/premis", {"actor_name": "赵六"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["premisVersion"] == "3.0"
    events = doc["events"]
    assert [e["eventType"] for e in events] == ["catalog.item_deleted", "ingest.accepted"]  # oldest first
    first = events[0]
    assert first["eventOutcomeInformation"] == [{"eventOutcome": "denied"}]
    assert first["linkingAgentIdentifier"][0]["agentName"] == "赵六"
    assert first["linkingObjectIdentifier"] == [
        {"linkingObjectIdentifierType": "lantai-item", "linkingObjectIdentifierValue": "I-2"}
    ]
    assert events[1]["eventDateTime"] == "2020-01-02T03:04:05Z"
    # Consecutive events carry the chain, so a receiver can check the exported range.
    assert events[1]["lantaiChain"]["previousHash"] == events[0]["lantaiChain"]["hash"]
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.after["format"] == "premis-json"


def test_premis_export_is_refused_to_the_system_administrator(logged_in, sysadmin, sample_events):
    response = logged_in(sysadmin).get(API + "/premis")
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="audit.exported").outcome == AuditEvent.Outcome.DENIED


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"since": "not a date"}])
def test_api_rejects_bad_filters_with_a_specific_error(logged_in, auditor, params):
    response = logged_in(auditor).get(API, params)
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"
