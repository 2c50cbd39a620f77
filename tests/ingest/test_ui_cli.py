"""The staff pages (upload, report, queue, accept/return) and `lantai ingest submit`."""

from __future__ import annotations

import pytest

from lantai.catalog.models import Item
from lantai.cli import main
from lantai.ingest.models import Submission

from . import corpus
from .conftest import run_commit_hooks, staging_entries

pytestmark = pytest.mark.django_db


def test_upload_page_checks_a_package_and_archivist_accepts_it(
    client, archivist, fonds, ws, tmp_path, ingest_dirs
):
    client.force_login(archivist)
    page = client.get("/ingest/")
    assert page.status_code == 200
    assert "在线归档" in page.content.decode()
    z = corpus.zip_folder(corpus.dat93_folder(tmp_path / "pkg", 2), tmp_path / "p.zip")
    with z.open("rb") as fh:
        response = client.post("/ingest/upload/", {"package": fh, "kind": "dat93", "package_id": "UI-1"})
    assert response.status_code == 302, response.content
    sub = Submission.objects.get()
    assert sub.status == Submission.Status.PASSED and sub.package_id == "UI-1"
    assert response["Location"] == f"/ingest/{sub.public_id}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Z109-WS·2024-D30-BGS-0001" in detail and "GD-1-1" in detail
    queue = client.get("/ingest/queue/").content.decode()
    assert "UI-1" in queue
    # No antivirus in this test: the virus items are 未执行, so manual review is pending and
    # both pages say so in Chinese rather than showing a bare outcome code.
    assert sub.report_outcome == "manual"
    assert "待人工" in queue and ">manual<" not in queue
    assert "有待人工检测项" in detail
    client.post(
        f"/ingest/{sub.public_id}/act/",
        {"action": "correct", "seq": "1", "field": "title", "value": "新题名"},
    )
    client.post(f"/ingest/{sub.public_id}/act/", {"action": "accept"})
    sub.refresh_from_db()
    assert sub.status == Submission.Status.ACCEPTED
    assert Item.objects.filter(title="新题名").count() == 1


def test_upload_needs_csrf_token(archivist, fonds, ws, tmp_path, ingest_dirs):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(archivist)
    z = corpus.zip_folder(corpus.dat93_folder(tmp_path / "pkg", 1), tmp_path / "p.zip")
    with z.open("rb") as fh:
        response = strict.post("/ingest/upload/", {"package": fh})
    assert response.status_code == 403
    assert Submission.objects.count() == 0
    assert staging_entries(ingest_dirs) == []


def test_reader_cannot_see_online_archiving(client, reader, fonds):
    client.force_login(reader)
    assert client.get("/ingest/").status_code == 404
    assert client.get("/ingest/queue/").status_code == 404


def test_upload_refusal_is_shown_and_leaves_nothing(client, archivist, fonds, ws, tmp_path, ingest_dirs):
    client.force_login(archivist)
    z = corpus.zip_entries(tmp_path / "slip.zip", {"../evil.txt": b"x"})
    with z.open("rb") as fh:
        response = client.post("/ingest/upload/", {"package": fh}, follow=True)
    assert "ingest.unsafe_path" in response.content.decode()
    assert Submission.objects.count() == 0
    assert staging_entries(ingest_dirs) == []


def test_return_from_the_page(client, archivist, fonds, ws, tmp_path, ingest_dirs):
    client.force_login(archivist)
    z = corpus.zip_folder(corpus.dat93_folder(tmp_path / "pkg", 1), tmp_path / "p.zip")
    with z.open("rb") as fh:
        client.post("/ingest/upload/", {"package": fh})
    sub = Submission.objects.get()
    client.post(f"/ingest/{sub.public_id}/act/", {"action": "return", "reason": "缺少说明文件签章"})
    run_commit_hooks()
    sub.refresh_from_db()
    assert sub.status == Submission.Status.RETURNED and sub.return_reason == "缺少说明文件签章"
    assert staging_entries(ingest_dirs) == []


def test_cli_submit_folder_and_resubmit_is_idempotent(agency, fonds, ws, tmp_path, capsys):
    folder = corpus.dat93_folder(tmp_path / "pkg", 2)
    args = ["ingest", "submit", str(folder), "--institution", agency.code, "--package-id", "CLI-1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "passed" in out
    assert main(args) == 0
    assert "已存在 existing" in capsys.readouterr().out
    assert Submission.objects.count() == 1


def test_cli_failed_package_exits_4(agency, fonds, ws, tmp_path, capsys):
    folder = corpus.dat93_folder(tmp_path / "pkg", 1)
    next(folder.rglob("正文.pdf")).write_bytes(b"%PDF-1.4 truncated")
    assert main(["ingest", "submit", str(folder), "--institution", agency.code]) == 4
    assert "GD-1-1" in capsys.readouterr().out


def test_cli_refusal_exits_1(agency, fonds, ws, tmp_path, capsys):
    z = corpus.zip_entries(tmp_path / "slip.zip", {"../evil.txt": b"x"})
    assert main(["ingest", "submit", str(z), "--institution", agency.code]) == 1
    assert "ingest.unsafe_path" in capsys.readouterr().err


def test_demo_step_sends_one_passing_and_one_failing_batch(system):
    from lantai.accounts.models import Institution
    from lantai.catalog.models import Fonds
    from lantai.ingest import demo

    agency = Institution.objects.create(code="QXZF", name="清溪县人民政府办公室")
    Fonds.objects.create(code="Z001", name="清溪县人民政府办公室", institution=agency)
    demo.load()
    statuses = dict(Submission.objects.values_list("package_id", "status"))
    assert statuses == {"QXZF-OA-2025-0001": "passed", "QXZF-OA-2025-0002": "failed"}
    demo.load()  # idempotent
    assert Submission.objects.count() == 2
