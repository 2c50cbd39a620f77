"""The object store (atomic, idempotent, replicated, verified), single-pass hashing, resuming
an interrupted pipeline and sweeping stale staging folders."""

from __future__ import annotations

import os
import time

import pytest

from lantai.accounts.actor import Actor
from lantai.core import hashing
from lantai.core.models import StepRun
from lantai.ingest import pipeline, readers, services
from lantai.ingest.models import Submission
from lantai.ingest.staging import Staging, staging_root, sweep_stale
from lantai.ingest.unpack import copy_tree
from lantai.storage.services import store_file
from lantai.storage.store import LocalObjectStore, ObjectCorrupt

from . import corpus

pytestmark = pytest.mark.django_db


def test_put_is_content_addressed_idempotent_and_replicated(tmp_path):
    store = LocalObjectStore(tmp_path / "objects", [tmp_path / "replica"])
    source = tmp_path / "a.pdf"
    source.write_bytes(corpus.pdf_bytes("store"))
    expected = hashing.digest_file(source)
    ref = store.put_file(source)
    assert ref.key == f"sha256/{expected.sha256}" and ref.sm3 == expected.sm3 and ref.size == expected.size
    path = store.path_of(ref.key)
    assert path.parent.name == expected.sha256[2:4] and path.parent.parent.name == expected.sha256[:2]
    assert store.put_file(source) == ref
    assert store.replica_count(ref.key) == 1
    assert list((tmp_path / "objects" / "tmp").iterdir()) == []
    with store.open(ref.key) as fh:
        assert fh.read() == source.read_bytes()
    assert store.verify(ref.key) == ref


def test_verify_names_a_corrupted_object(tmp_path):
    store = LocalObjectStore(tmp_path / "objects")
    source = tmp_path / "a.bin"
    source.write_bytes(b"fixity")
    ref = store.put_file(source)
    path = store.path_of(ref.key)
    os.chmod(path, 0o644)
    path.write_bytes(b"fixitY")
    with pytest.raises(ObjectCorrupt):
        store.verify(ref.key)


def test_put_with_known_digests_links_and_refuses_a_wrong_key(tmp_path, settings):
    settings.STORAGE_ROOT = tmp_path / "objects"
    source = tmp_path / "b.pdf"
    source.write_bytes(b"%PDF-1.4 x")
    d = hashing.digest_file(source)
    obj = store_file(source, sha256=d.sha256, sm3=d.sm3)
    assert obj.key == f"sha256/{d.sha256}" and obj.size == d.size
    assert os.stat(source).st_nlink == 2  # linked, not copied
    assert store_file(source, sha256=d.sha256, sm3=d.sm3).pk == obj.pk
    other = tmp_path / "c.bin"
    other.write_bytes(b"different")
    with pytest.raises(ObjectCorrupt):
        LocalObjectStore(tmp_path / "objects2").put_file(other, sha256="0" * 64)


def test_each_payload_byte_is_hashed_once_from_upload_to_acceptance(api, fonds, ws, archivist, monkeypatch):
    """G6: SM3 and SHA-256 in one pass; receiving, checking and storing hash nothing twice."""
    counted: list[int] = []
    original = hashing.MultiHasher.update

    def counting(self, chunk):  # type: ignore[no-untyped-def]
        counted.append(len(chunk))
        return original(self, chunk)

    monkeypatch.setattr(hashing.MultiHasher, "update", counting)
    pkg = corpus.api_package(3)
    response = api.post("/submissions", pkg.multipart())
    assert response.status_code == 201, response.content
    sub = Submission.objects.get()
    payload = sum(len(b) for b in pkg.parts.values())
    assert sum(counted) == payload  # every byte once, both digests from the same pass
    counted.clear()
    services.accept(Actor.for_user(archivist), sub)
    assert sum(counted) == 0
    assert all(set(f.digests) == {"sm3", "sha256"} for f in sub.files.all())


def test_resume_finishes_a_submission_whose_worker_stopped(agency, fonds, ws, tmp_path):
    actor = Actor(
        kind="apikey",
        id="t",
        name="t",
        permissions=frozenset({"ingest.submit"}),
        institution_scope=frozenset({agency.pk}),
        institution_id=agency.pk,
    )
    folder = corpus.dat93_folder(tmp_path / "pkg", 1)
    staging = Staging()
    files = copy_tree(folder, staging)
    parsed = readers.read_dat93(files, {"package_id": "KILLED-1"})
    from django.utils import timezone

    sub, created = pipeline.register(actor, parsed, staging, timezone.now())
    assert created and sub.status == Submission.Status.CHECKING  # the process died here
    steps = set(StepRun.objects.filter(subject_id=str(sub.public_id)).values_list("step", flat=True))
    assert steps == {"receive", "unpack", "hash", "parse", "register"}
    done = pipeline.resume_pending()
    assert [s.pk for s in done] == [sub.pk]
    sub.refresh_from_db()
    assert sub.status == Submission.Status.PASSED
    assert StepRun.objects.get(subject_id=str(sub.public_id), step="decide").status == "done"
    assert pipeline.resume_pending() == []


def test_sweep_removes_only_stale_orphans(api, fonds, ws, settings):
    response = api.post("/submissions", corpus.api_package(1).multipart())
    live = Submission.objects.get(public_id=response.json()["id"]).staging_key
    orphan = staging_root() / "orphan"
    orphan.mkdir()
    old = time.time() - 3 * 3600
    for path in (orphan, staging_root() / live):
        os.utime(path, (old, old))
    assert sweep_stale(max_age_hours=1) == ["orphan"]
    assert (staging_root() / live).exists()
