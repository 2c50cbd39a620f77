"""The pre-archive queue: review, correct, accept (归档) into the catalogue, or return (退回)."""

from __future__ import annotations

import pytest

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent
from lantai.catalog.models import Item
from lantai.core.errors import LantaiError, NotFound, PermissionDenied
from lantai.ingest import queries, services
from lantai.ingest.models import Submission
from lantai.storage.models import StoredObject
from lantai.storage.store import get_store

from . import corpus
from .conftest import run_commit_hooks, staging_entries, stored_objects

pytestmark = pytest.mark.django_db


def submitted(api, pkg=None) -> Submission:
    response = api.post("/submissions", (pkg or corpus.api_package(2)).multipart())
    assert response.status_code == 201, response.content
    return Submission.objects.get(public_id=response.json()["id"])


def test_accept_creates_items_stores_files_and_the_agency_sees_codes(api, fonds, ws, archivist, ingest_dirs):
    sub = submitted(api)
    actor = Actor.for_user(archivist)
    assert list(queries.queue(actor)) == [sub]
    preview = queries.preview_codes(sub)
    assert preview == {1: "Z109-WS·2024-D30-BGS-0001", 2: "Z109-WS·2024-D30-BGS-0002"}
    services.accept(actor, sub)
    run_commit_hooks()
    sub.refresh_from_db()
    assert sub.status == Submission.Status.ACCEPTED
    items = list(Item.objects.order_by("archival_code"))
    assert [i.archival_code for i in items] == ["Z109-WS·2024-D30-BGS-0001", "Z109-WS·2024-D30-BGS-0002"]
    assert items[0].title == "关于第1次工作会议的通知"
    for f in sub.files.all():
        assert f.object_key == f"sha256/{f.sha256}"
        assert get_store().verify(f.object_key).sm3 == f.sm3
        assert StoredObject.objects.get(key=f.object_key).sm3 == f.sm3
    assert len(stored_objects(ingest_dirs)) == 2
    assert staging_entries(ingest_dirs) == []
    assert AuditEvent.objects.filter(action="ingest.accepted", object_id=str(sub.public_id)).count() == 1
    detail = api.get(f"/submissions/{sub.public_id}").json()
    assert detail["status"] == "accepted"
    assert [i["archival_code"] for i in detail["items"]] == [i.archival_code for i in items]


def test_corrected_metadata_is_used_at_acceptance(api, fonds, ws, archivist):
    sub = submitted(api)
    actor = Actor.for_user(archivist)
    item = sub.items.get(seq=1)
    services.correct_item(actor, item, {"title": "更正后的题名"})
    services.accept(actor, sub)
    assert Item.objects.filter(title="更正后的题名").count() == 1
    assert sub.items.get(seq=1).metadata["title"] == "关于第1次工作会议的通知"  # the original is kept


def test_duplicate_archival_code_in_catalogue_fails_the_checks(api, fonds, ws, archivist, ingest_dirs):
    actor = Actor.for_user(archivist)
    code = "Z109-WS·2024-D30-BGS-0007"
    pkg = corpus.api_package(1)
    pkg.meta["items"][0]["metadata"]["archival_code"] = code  # type: ignore[index]
    services.accept(actor, submitted(api, pkg))
    again = corpus.api_package(1, package_id="OA-2024-0002")
    again.meta["items"][0]["metadata"]["archival_code"] = code  # type: ignore[index]
    response = api.post("/submissions", again.multipart())
    assert response.status_code == 422 and response.json()["code"] == "ingest.checks_failed"
    failed = response.json()["details"]["failed"]
    assert [f["target"] for f in failed] == ["item:1"], failed
    assert Item.objects.count() == 1


def test_duplicate_archival_code_at_acceptance_leaves_no_half_writes(api, fonds, ws, archivist):
    """Two passed submissions claim the same 档号; the second acceptance is refused whole."""
    actor = Actor.for_user(archivist)
    code = "Z109-WS·2024-D30-BGS-0007"
    pkg = corpus.api_package(2)
    pkg.meta["items"][0]["metadata"]["archival_code"] = code  # type: ignore[index]
    first = submitted(api, pkg)
    again = corpus.api_package(1, package_id="OA-2024-0002")
    again.meta["items"][0]["metadata"]["archival_code"] = code  # type: ignore[index]
    second = submitted(api, again)
    services.accept(actor, first)
    with pytest.raises(LantaiError) as info:
        services.accept(actor, second)
    assert info.value.code == "catalog.duplicate_archival_code"
    second.refresh_from_db()
    assert second.status == Submission.Status.PASSED
    assert Item.objects.count() == 2
    assert not second.files.exclude(object_key="").exists()
    assert not second.items.exclude(item=None).exists()


def test_return_with_reason_is_readable_by_the_agency(api, fonds, ws, archivist, ingest_dirs):
    sub = submitted(api)
    actor = Actor.for_user(archivist)
    with pytest.raises(LantaiError) as info:
        services.return_submission(actor, sub, "  ")
    assert info.value.code == "ingest.reason_required"
    services.return_submission(actor, sub, "题名不规范，请修改后重新归档")
    run_commit_hooks()
    detail = api.get(f"/submissions/{sub.public_id}").json()
    assert detail["status"] == "returned"
    assert detail["return_reason"] == "题名不规范，请修改后重新归档"
    assert staging_entries(ingest_dirs) == []
    assert Item.objects.count() == 0
    # The agency may resend corrected content under the same package id: a new attempt.
    pkg = corpus.api_package(2)
    pkg.meta["items"][0]["metadata"]["title"] = "关于召开工作会议的通知"  # type: ignore[index]
    resubmitted = submitted(api, pkg)
    assert resubmitted.attempt == 2 and resubmitted.package_id == sub.package_id


def test_accept_needs_permission_and_scope(api, fonds, ws, reader, make_user, system):
    from lantai.accounts import services as account_services
    from lantai.accounts.models import Institution

    sub = submitted(api)
    with pytest.raises(PermissionDenied):
        services.accept(Actor.for_user(reader), sub)
    other = account_services.create_institution(
        system, code="OTHER", name="其他档案馆", kind=Institution.Kind.ARCHIVE
    )
    outsider = make_user("outsider", "archivist", institution=other)
    with pytest.raises(NotFound):
        queries.access_submission(Actor.for_user(outsider), sub.public_id)
    assert sub not in list(queries.queue(Actor.for_user(outsider)))


def test_api_accept_and_return_routes(client, api, fonds, ws, archivist, logged_in):
    sub = submitted(api)
    staff = logged_in(archivist)
    response = staff.post(
        f"/api/v1/ingest/submissions/{sub.public_id}/return",
        {"reason": "缺少附件"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "returned"
    response = staff.post(f"/api/v1/ingest/submissions/{sub.public_id}/accept")
    assert response.status_code == 409 and response.json()["code"] == "ingest.wrong_status"


def test_agency_cannot_accept_its_own_submission(api, fonds, ws):
    sub = submitted(api)
    response = api.post(f"/submissions/{sub.public_id}/accept", {})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
