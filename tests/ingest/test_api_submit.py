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
