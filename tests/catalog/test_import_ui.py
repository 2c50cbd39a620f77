"""The import as the UI, the API and the CLI use it: staged upload, background check and
import with progress, error report download, export and print downloads, `lantai catalogue`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from lantai.accounts.actor import Actor
from lantai.catalog import import_jobs
from lantai.catalog.models import Item
from lantai.cli import main as cli_main
from lantai.core.errors import NotFound
from tests.catalog.io_helpers import WS_HEADER, make_fonds, read_xlsx, write_xlsx, ws_row


@pytest.fixture
def fonds(agency):
    return make_fonds(agency)


@pytest.fixture
def actor(archivist, fonds):
    return Actor.for_user(archivist)


def xlsx_bytes(tmp_path: Path, rows) -> bytes:
    return write_xlsx(tmp_path / "upload.xlsx", WS_HEADER, rows).read_bytes()


def run_queued() -> None:
    """Run the queued import jobs in this process, as a worker would."""
    for job in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        import_jobs.import_job.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        job.delete()


def test_job_checks_then_imports_once_and_removes_the_upload(tmp_path, actor, fonds):
    data = xlsx_bytes(tmp_path, [ws_row(1), ws_row(2)])
    import_id = import_jobs.stage_upload(
        actor, io.BytesIO(data), "目录.xlsx", fonds=fonds, category=fonds_category()
    )
    import_jobs.start(actor, import_id, dry_run=True)
    assert import_jobs.status(actor, import_id)["state"] == "queued"
    run_queued()
    state = import_jobs.status(actor, import_id)
    assert state["state"] == "checked" and state["result"]["valid_rows"] == 2 and Item.objects.count() == 0
    import_jobs.start(actor, import_id, dry_run=False)
    run_queued()
    state = import_jobs.status(actor, import_id)
    assert state["state"] == "done" and state["result"]["created"] == 2
    assert Item.objects.count() == 2
    folder = import_jobs.imports_root() / import_id
    assert not list(folder.glob("upload*"))
    # A worker that dies after the commit and is re-run does not import twice.
    import_jobs.import_job.call(import_id, False)
    assert Item.objects.count() == 2 and import_jobs.status(actor, import_id)["state"] == "done"


def fonds_category():
    from lantai.catalog.models import Category

    return Category.objects.get(code="WS")


def test_rejected_job_keeps_a_report_for_its_owner_only(tmp_path, actor, fonds, make_user):
    from lantai.accounts import roles

    data = xlsx_bytes(tmp_path, [ws_row(1, 日期="20111340")])
    import_id = import_jobs.stage_upload(
        actor, io.BytesIO(data), "目录.xlsx", fonds=fonds, category=fonds_category()
    )
    import_jobs.import_job.call(import_id, False)
    state = import_jobs.status(actor, import_id)
    assert state["state"] == "rejected" and state["code"] == "catalog.import.rejected"
    assert state["errors"][0]["row"] == 2 and state["errors"][0]["column"] == "日期"
    report = read_xlsx(import_jobs.report_path(actor, import_id))
    assert report[1][:2] == [2, "日期"]
    other = Actor.for_user(make_user("other", roles.ARCHIVIST))
    with pytest.raises(NotFound):
        import_jobs.status(other, import_id)
    with pytest.raises(NotFound):
        import_jobs.status(actor, "../../etc")


def test_ui_upload_check_confirm(tmp_path, archivist, fonds, logged_in):
    client = logged_in(archivist)
    page = client.get(reverse("catalog_io:import"))
    assert page.status_code == 200 and "Excel 导入" in page.content.decode()
    upload = io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1), ws_row(2), ws_row(3)]))
    upload.name = "文书目录.xlsx"
    response = client.post(reverse("catalog_io:import"), {"fonds": "Z109", "category": "WS", "file": upload})
    assert response.status_code == 302
    status_url = response["Location"]
    waiting = client.get(status_url).content.decode()
    assert 'http-equiv="refresh"' in waiting and "<progress" in waiting
    run_queued()
    checked = client.get(status_url).content.decode()
    assert (
        "预览" in checked
        and "导入全部 3 行" in checked
        and "清溪县人民政府办公室关于做好第1项工作的通知" in checked
    )
    import_id = status_url.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(reverse("catalog_io:import_commit", args=[import_id])).status_code == 302
    run_queued()
    assert "已导入 3 件" in client.get(status_url).content.decode()
    assert Item.objects.count() == 3


def test_ui_rejected_file_offers_the_report(tmp_path, archivist, fonds, logged_in):
    client = logged_in(archivist)
    upload = io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1, 保管期限="X9")]))
    upload.name = "bad.xlsx"
    response = client.post(reverse("catalog_io:import"), {"fonds": "Z109", "category": "WS", "file": upload})
    run_queued()
    page = client.get(response["Location"]).content.decode()
    assert "下载错误报告" in page and "X9" in page and "导入全部" not in page
    import_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    report = client.get(reverse("catalog_io:import_report", args=[import_id]))
    assert report.status_code == 200
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"".join(report.streaming_content))
    assert read_xlsx(path)[0] == ["行号", "列名", "规则", "值", "说明"]


def test_ui_refuses_readers_and_csrf_is_on(tmp_path, reader, archivist, fonds, logged_in, client):
    assert logged_in(reader).get(reverse("catalog_io:import")).status_code == 404
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(archivist)
    upload = io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1)]))
    upload.name = "a.xlsx"
    assert (
        strict.post(
            reverse("catalog_io:import"), {"fonds": "Z109", "category": "WS", "file": upload}
        ).status_code
        == 403
    )


def test_export_and_print_downloads(tmp_path, archivist, fonds, logged_in, actor):
    from lantai.catalog import importing

    importing.import_file(
        actor,
        write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1), ws_row(2)]),
        fonds=fonds,
        category=fonds_category(),
    )
    client = logged_in(archivist)
    export = client.get(reverse("catalog_io:export"), {"fonds": "Z109", "category": "WS"})
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"".join(export.streaming_content))
    assert len(read_xlsx(path)) == 3
    form = client.get(reverse("catalog_io:print"))
    assert form.status_code == 200 and "归档文件目录" in form.content.decode()
    pdf = client.get(reverse("catalog_io:print"), {"form": "catalogue", "fonds": "Z109", "year": "2011"})
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )


def test_api_import_flow(tmp_path, archivist, fonds, logged_in):
    client = logged_in(archivist)
    upload = io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1)]))
    upload.name = "a.xlsx"
    csrf = client.get(reverse("catalog_io:import")).cookies.get("csrftoken")
    headers = {"HTTP_X_CSRFTOKEN": csrf.value} if csrf else {}
    started = client.post(
        "/api/v1/catalogue-io/imports", {"fonds": "Z109", "category": "WS", "file": upload}, **headers
    )
    assert started.status_code == 202, started.content
    import_id = started.json()["id"]
    run_queued()
    assert client.get(f"/api/v1/catalogue-io/imports/{import_id}").json()["state"] == "checked"
    assert client.post(f"/api/v1/catalogue-io/imports/{import_id}/commit", **headers).status_code == 202
    run_queued()
    body = client.get(f"/api/v1/catalogue-io/imports/{import_id}").json()
    assert body["state"] == "done" and body["result"]["created"] == 1
    missing = client.get("/api/v1/catalogue-io/imports/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_cli_import_and_report(tmp_path, fonds, capsys):
    good = write_xlsx(tmp_path / "好.xlsx", WS_HEADER, [ws_row(1), ws_row(2)])
    assert (
        cli_main(["catalogue", "import", str(good), "--fonds", "Z109", "--category", "WS", "--dry-run"]) == 0
    )
    assert Item.objects.count() == 0
    assert cli_main(["catalogue", "import", str(good), "--fonds", "Z109", "--category", "WS"]) == 0
    assert Item.objects.count() == 2 and "已导入" in capsys.readouterr().out
    bad = write_xlsx(tmp_path / "坏.xlsx", WS_HEADER, [ws_row(3, 日期="2011-02-30")])
    assert cli_main(["catalogue", "import", str(bad), "--fonds", "Z109", "--category", "WS"]) == 1
    report = tmp_path / "坏-错误报告.xlsx"
    assert read_xlsx(report)[1][:2] == [2, "日期"]
    err = capsys.readouterr().err
    assert "第 2 行" in err and "catalog.import.bad_date" in err
    out = tmp_path / "目录.pdf"
    assert cli_main(["catalogue", "print", "catalogue", "--fonds", "Z109", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "导出.xlsx"
    assert cli_main(["catalogue", "export", "--fonds", "Z109", "-o", str(xlsx)]) == 0
    assert len(read_xlsx(xlsx)) == 3


def test_old_staged_imports_are_swept(tmp_path, actor, fonds):
    import os
    import time

    old_id = import_jobs.stage_upload(
        actor, io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1)])), "a.xlsx", fonds=fonds, category=fonds_category()
    )
    folder = import_jobs.imports_root() / old_id
    past = time.time() - import_jobs.KEEP_SECONDS - 60
    os.utime(folder, (past, past))
    import_jobs.stage_upload(
        actor, io.BytesIO(xlsx_bytes(tmp_path, [ws_row(2)])), "b.xlsx", fonds=fonds, category=fonds_category()
    )
    assert not folder.exists()


def test_unexpected_failure_is_shown_not_left_running(tmp_path, actor, fonds):
    from lantai.catalog import hooks

    def broken(ids: list[int]) -> None:
        raise RuntimeError("index down")

    import_id = import_jobs.stage_upload(
        actor, io.BytesIO(xlsx_bytes(tmp_path, [ws_row(1)])), "a.xlsx", fonds=fonds, category=fonds_category()
    )
    hooks.ITEM_LISTENERS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            import_jobs.import_job.call(import_id, False)
    finally:
        hooks.ITEM_LISTENERS.remove(broken)
    state = import_jobs.status(actor, import_id)
    assert state["state"] == "failed" and state["code"] == "catalog.import.write_failed"
    assert "RuntimeError" in state["message"] and Item.objects.count() == 0
