"""End to end through the API: an agency submits, the checks pass, the archivist accepts."""

from __future__ import annotations

import pytest

from lantai.ingest.models import Submission

from . import corpus
from .conftest import staging_entries


@pytest.mark.django_db
def test_api_submission_passes_checks_and_is_idempotent(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(2)
    response = api.post("/submissions", pkg.multipart())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "passed", body["failed"]
    assert body["item_count"] == 2
    sub = Submission.objects.get(public_id=body["id"])
    paths = sorted(sub.files.values_list("path", flat=True))
    assert paths == ["0001/正文1.pdf", "0002/正文2.pdf"]
    again = api.post("/submissions", pkg.multipart())
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"]
    assert Submission.objects.count() == 1
    assert len(staging_entries(ingest_dirs)) == 1


@pytest.mark.django_db
def test_legacy_md5_declaration_is_verified(api, fonds, ws):
    import hashlib

    pkg = corpus.api_package(1)
    content = pkg.parts["0001/正文1.pdf"]
    pkg.meta["items"][0]["files"][0]["digests"] = {
        "md5": hashlib.md5(content, usedforsecurity=False).hexdigest()
    }  # type: ignore[index]
    response = api.post("/submissions", pkg.multipart())
    assert response.status_code == 201, response.content
    f = Submission.objects.get().files.get()
    assert f.digests["md5"] == hashlib.md5(content, usedforsecurity=False).hexdigest()
    digest_result = [r for r in Submission.objects.get().report["results"] if r["code"] == "GD-1-1"]
    assert [r["outcome"] for r in digest_result] == ["passed"]


@pytest.mark.django_db
def test_another_institution_cannot_read_the_submission(api, client, fonds, ws, system, archive):
    from lantai.accounts import services as account_services
    from lantai.accounts.models import Institution

    sub_id = api.post("/submissions", corpus.api_package(1).multipart()).json()["id"]
    other = account_services.create_institution(
        system, code="OTH", name="另一单位", kind=Institution.Kind.CREATOR
    )
    _key, token = account_services.create_api_key(
        system, institution=other, name="其他系统", scopes=["ingest.submit"]
    )
    response = client.get(f"/api/v1/ingest/submissions/{sub_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    listing = client.get("/api/v1/ingest/submissions", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing == []


@pytest.mark.django_db
def test_package_digest_of_the_listing_is_checked(api, fonds, ws):
    import hashlib

    pkg = corpus.api_package(2)
    listing = "".join(
        f"{hashlib.sha256(pkg.parts[p]).hexdigest()}  {p}\n" for p in sorted(pkg.parts)
    ).encode()
    pkg.meta["package_digests"] = {"sha256": hashlib.sha256(listing).hexdigest()}
    assert api.post("/submissions", pkg.multipart()).status_code == 201
    wrong = corpus.api_package(2, package_id="OA-2024-0009")
    wrong.meta["package_digests"] = {"sha256": "1" * 64}
    response = api.post("/submissions", wrong.multipart())
    assert response.status_code == 422
    assert [f["target"] for f in response.json()["details"]["failed"]] == ["package"]


@pytest.mark.django_db
def test_background_submission_answers_202_and_the_job_decides_it(api, fonds, ws):
    from django_tasks_db.models import DBTaskResult

    from lantai.ingest.tasks import run_submission

    response = api.post("/submissions?background=true", corpus.api_package(2).multipart())
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "checking" and body["report"] == {}
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"] == [body["id"]]
    assert run_submission.call(body["id"]) == "passed"
    assert api.get(f"/submissions/{body['id']}").json()["status"] == "passed"
    assert run_submission.call(body["id"]) == "passed"  # a re-queued job changes nothing


@pytest.mark.django_db
def test_large_package_goes_to_the_background_by_size(api, fonds, ws, settings):
    settings.INGEST_SYNC_MAX_BYTES = 1000
    response = api.post("/submissions", corpus.api_package(1).multipart())
    assert response.status_code == 202, response.content
