"""Every bad input is refused with a specific code and leaves nothing behind.

Structure errors: no submission row, no staged or stored file, one failure audit event.
Content failures: the submission is kept as failed with its report, its payload deleted,
no catalogue item created, and the API answers ``ingest.checks_failed``.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from lantai.accounts import services as account_services
from lantai.accounts.models import ApiKey
from lantai.audit.models import AuditEvent
from lantai.catalog.models import Item
from lantai.ingest.models import Submission, SubmissionFile

from . import corpus
from .conftest import run_commit_hooks, staging_entries, stored_objects

pytestmark = pytest.mark.django_db


def refused(response, status: int, code: str, dirs) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert Submission.objects.count() == 0
    assert SubmissionFile.objects.count() == 0
    assert staging_entries(dirs) == []
    assert stored_objects(dirs) == []
    assert AuditEvent.objects.filter(action="ingest.refused", outcome="failure").exists()
    return body


def failed_checks(response, dirs) -> tuple[Submission, list[dict]]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "ingest.checks_failed", body
    sub = Submission.objects.get(public_id=body["details"]["submission"])
    assert sub.status == Submission.Status.FAILED
    assert sub.report["results"], "the full report is kept"
    assert sub.staging_key == ""
    run_commit_hooks()
    assert staging_entries(dirs) == []
    assert stored_objects(dirs) == []
    assert Item.objects.count() == 0
    return sub, body["details"]["failed"]


def package(api, path, **form):
    with path.open("rb") as fh:
        return api.post("/packages", {"package": fh, **form})


# --- content failures (kept as failed, with the report) ------------------------------------


def test_wrong_digest_fails_digest_check(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1)
    pkg.meta["items"][0]["files"][0]["digests"]["sm3"] = "0" * 64  # type: ignore[index]
    sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert codes(failed) == {("GD-1-1", "file:0001/正文1.pdf")}
    # The agency reads why through the API.
    detail = api.get(f"/submissions/{sub.public_id}").json()
    assert detail["status"] == "failed" and detail["failed"] == [
        {"code": f["code"], "target": f["target"]} for f in failed
    ]


def test_missing_file_fails(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(2)
    del pkg.parts["0002/正文2.pdf"]
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert {("GD-2-7", "item:2"), ("GD-2-11", "package")} <= codes(failed), failed


def test_extra_file_fails(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1)
    pkg.parts["extra/未声明.pdf"] = corpus.pdf_bytes("extra")
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert ("GD-2-11", "package") in codes(failed), failed


def _one_file_package(name: str, content: bytes, fmt: str = "PDF") -> corpus.ApiPackage:
    pkg = corpus.api_package(1)
    item = pkg.meta["items"][0]  # type: ignore[index]
    item["files"] = [{"path": name, "digests": corpus.digests(content), "format": fmt, "size": len(content)}]
    pkg.parts = {name: content}
    pkg.meta["registration"] = {"item_count": 1, "total_bytes": len(content)}
    return pkg


def codes(failed: list[dict]) -> set[tuple[str, str]]:
    return {(f["code"], f["target"]) for f in failed}


def test_truncated_pdf_fails(api, fonds, ws, ingest_dirs):
    content = corpus.pdf_bytes("truncated")[:300]
    _sub, failed = failed_checks(
        api.post("/submissions", _one_file_package("0001/截断.pdf", content).multipart()), ingest_dirs
    )
    assert codes(failed) == {("GD-3-4", "file:0001/截断.pdf")}


def test_jpeg_named_pdf_fails(api, fonds, ws, ingest_dirs):
    pkg = _one_file_package("0001/照片.pdf", corpus.jpeg_bytes())
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert codes(failed) == {("GD-3-3", "file:0001/照片.pdf")}


def test_eicar_fails_virus_check(api, fonds, ws, ingest_dirs, clamd_settings):
    pkg = _one_file_package("0001/eicar.pdf", corpus.EICAR)
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert ("GD-4-2", "file:0001/eicar.pdf") in codes(failed), failed


def test_eicar_inside_nested_zip_fails_and_is_not_unpacked(
    api, fonds, ws, ingest_dirs, clamd_settings, tmp_path
):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("readme.txt", corpus.EICAR)
    pkg = _one_file_package("0001/附件.zip", inner.getvalue(), fmt="ZIP")
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert ("GD-4-2", "file:0001/附件.zip") in codes(failed), failed


def test_invalid_date_and_unknown_code_fail_metadata_checks(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(2)
    pkg.meta["items"][0]["metadata"]["date"] = "20241345"  # type: ignore[index]
    pkg.meta["items"][1]["metadata"]["retention"] = "X99"  # type: ignore[index]
    _sub, failed = failed_checks(api.post("/submissions", pkg.multipart()), ingest_dirs)
    assert codes(failed) == {("GD-1-3", "item:1"), ("GD-1-4", "item:2")}


# --- structure errors (refused, nothing kept) ----------------------------------------------


def test_zip_slip_refused(api, fonds, ws, ingest_dirs, tmp_path):
    z = corpus.zip_entries(tmp_path / "slip.zip", {"目录文件.XML": b"<a/>", "../../evil.txt": b"x"})
    body = refused(package(api, z), 400, "ingest.unsafe_path", ingest_dirs)
    assert body["message"] == "信息包中含有不安全的路径（绝对路径、盘符或“..”）：../../evil.txt"
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["/etc/evil.txt", "C:/Windows/evil.txt", "a\\..\\..\\evil.txt"])
def test_absolute_drive_and_backslash_paths_refused(api, fonds, ws, ingest_dirs, tmp_path, name):
    z = corpus.zip_entries(tmp_path / "abs.zip", {name: b"x"})
    refused(package(api, z), 400, "ingest.unsafe_path", ingest_dirs)


def test_symlink_entry_refused(api, fonds, ws, ingest_dirs, tmp_path):
    z = corpus.patched_zip(
        tmp_path / "link.zip", "link", b"/etc/passwd", external_attr=0o120777 << 16, create_system=3
    )
    refused(package(api, z), 400, "ingest.symlink", ingest_dirs)


def test_encrypted_entry_refused(api, fonds, ws, ingest_dirs, tmp_path):
    z = corpus.patched_zip(tmp_path / "enc.zip", "secret.pdf", b"data", flag_bits=0x1)
    refused(package(api, z), 400, "ingest.encrypted_entry", ingest_dirs)


def test_unknown_compression_refused(api, fonds, ws, ingest_dirs, tmp_path):
    z = corpus.patched_zip(tmp_path / "ppmd.zip", "a.pdf", b"data", method=98)
    refused(package(api, z), 400, "ingest.unsupported_compression", ingest_dirs)


def test_zip_bomb_refused_by_ratio(api, fonds, ws, ingest_dirs, tmp_path):
    z = corpus.zip_bomb(tmp_path / "bomb.zip", megabytes=8)
    refused(package(api, z), 413, "ingest.zip_bomb", ingest_dirs)


def test_zip_bomb_refused_by_total_size_while_inflating(api, fonds, ws, ingest_dirs, tmp_path, settings):
    settings.INGEST_MAX_RATIO = 10**6
    settings.INGEST_MAX_PACKAGE_BYTES = (
        3 * 1024 * 1024 + 100_000
    )  # the compressed upload fits, the content not
    z = corpus.zip_bomb(tmp_path / "bomb.zip", megabytes=4)
    response = package(api, z)
    assert response.json()["code"] in ("ingest.zip_bomb", "ingest.too_large")
    refused(response, 413, response.json()["code"], ingest_dirs)


def test_xxe_in_catalogue_xml_refused(api, fonds, ws, ingest_dirs, tmp_path):
    folder = corpus.dat93_folder(tmp_path / "pkg", 1)
    xml = (folder / "目录文件.XML").read_text("utf-8")
    head, body = xml.split("\n", 1)
    (folder / "目录文件.XML").write_text(
        head + "\n" + corpus.XXE_DOCTYPE + body.replace("<备注></备注>", "<备注>&xxe;</备注>"), "utf-8"
    )
    z = corpus.zip_folder(folder, tmp_path / "xxe.zip")
    refused(package(api, z), 400, "ingest.xml_forbidden_construct", ingest_dirs)


def test_billion_laughs_in_eep_refused(api, fonds, ws, ingest_dirs, tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_bytes(
        corpus.eep_xml(1, extra_header=corpus.LAUGHS_DOCTYPE).replace(b"<\xe9\xa2\x98", b"<\xe9\xa2\x98", 1)
    )
    refused(
        package(api, path, fonds_code="Z109", category_code="WS"),
        400,
        "ingest.xml_forbidden_construct",
        ingest_dirs,
    )


def test_expired_api_key_refused(client, system, agency, fonds, ws, ingest_dirs):
    key, token = account_services.create_api_key(
        system,
        institution=agency,
        name="过期",
        scopes=["ingest.submit"],
        expires_at=timezone.now() + timedelta(days=1),
    )
    # A day later: the key has expired.
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    pkg = corpus.api_package(1)
    response = client.post(
        "/api/v1/ingest/submissions", pkg.multipart(), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "auth.api_key_expired"
    assert Submission.objects.count() == 0
    assert staging_entries(ingest_dirs) == []


def test_malformed_metadata_json_refused(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1)
    data = pkg.multipart()
    data["metadata"] = "{not json"
    refused(api.post("/submissions", data), 400, "ingest.bad_metadata_json", ingest_dirs)


def test_bad_declared_digest_value_refused(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1)
    pkg.meta["items"][0]["files"][0]["digests"] = {"sm3": "xyz"}  # type: ignore[index]
    refused(api.post("/submissions", pkg.multipart()), 400, "ingest.bad_declared_digest", ingest_dirs)


def test_unknown_fonds_refused(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1, fonds="NOPE")
    refused(api.post("/submissions", pkg.multipart()), 422, "ingest.unknown_fonds", ingest_dirs)


def test_not_multipart_refused(api, fonds, ws, ingest_dirs):
    refused(api.post_json("/submissions", {"package_id": "x"}), 400, "ingest.malformed_request", ingest_dirs)


def test_package_id_conflict(api, fonds, ws, ingest_dirs):
    first = api.post("/submissions", corpus.api_package(1).multipart())
    assert first.status_code == 201, first.content
    other = corpus.api_package(2)  # same package id, different content
    response = api.post("/submissions", other.multipart())
    assert response.status_code == 409 and response.json()["code"] == "ingest.package_id_conflict"
    assert Submission.objects.count() == 1
    assert len(staging_entries(ingest_dirs)) == 1  # only the first submission's staging


def test_not_a_package_refused(api, fonds, ws, ingest_dirs, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    refused(package(api, junk), 400, "ingest.unparseable_package", ingest_dirs)


def test_duplicate_metadata_shape_refused(api, fonds, ws, ingest_dirs):
    pkg = corpus.api_package(1)
    pkg.meta["items"] = {"not": "a list"}
    data = pkg.multipart()
    data["metadata"] = json.dumps(pkg.meta)
    refused(api.post("/submissions", data), 400, "ingest.bad_metadata_json", ingest_dirs)


def test_upload_over_the_size_limit_is_refused_while_streaming(api, fonds, ws, ingest_dirs, settings):
    settings.INGEST_MAX_PACKAGE_BYTES = 1500  # smaller than the two PDFs together
    refused(api.post("/submissions", corpus.api_package(2).multipart()), 413, "ingest.too_large", ingest_dirs)


def test_too_many_files_refused(api, fonds, ws, ingest_dirs, settings):
    settings.INGEST_MAX_FILES = 1
    refused(
        api.post("/submissions", corpus.api_package(2).multipart()), 413, "ingest.too_many_files", ingest_dirs
    )


def test_same_part_twice_refused(api, fonds, ws, ingest_dirs, client, submit_token):
    pkg = corpus.api_package(1)
    content = pkg.parts["0001/正文1.pdf"]
    data = {
        "metadata": json.dumps(pkg.meta, ensure_ascii=False),
        "0001/正文1.pdf": [io.BytesIO(content), io.BytesIO(content)],
    }
    response = client.post("/api/v1/ingest/submissions", data, HTTP_AUTHORIZATION=f"Bearer {submit_token}")
    refused(response, 400, "ingest.duplicate_path", ingest_dirs)
