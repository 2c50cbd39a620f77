"""Stored reports: save_report writes the run, one row per result and a checks.run audit event;
the JSON has a stable shape; the PDF is Chinese; pages and API respect permissions and scope."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from django.db import transaction

from lantai.accounts import services as account_services
from lantai.accounts.models import Institution
from lantai.audit.models import AuditEvent
from lantai.catalog.models import Fonds
from lantai.checks.models import CheckResult, CheckRun
from lantai.checks.runner import CheckReport, render_report_pdf, run_checks, save_report
from tests.checks.builders import FONDS, PackageBuilder, jpeg_bytes, pdf_bytes, ws_metadata

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(tmp_path: Path, archive) -> CheckReport:
    Fonds.objects.create(code=FONDS, name="兰台市档案局", institution=archive)
    b = PackageBuilder(tmp_path, institution_id=archive.pk)
    b.item(ws_metadata(1), ("a/正文.pdf", pdf_bytes()))
    b.item(ws_metadata(2), ("b/正文.pdf", jpeg_bytes()))  # JPEG named .pdf: 不通过
    return run_checks(b.build())


@pytest.fixture
def run(report) -> CheckRun:
    with transaction.atomic():
        return save_report(report, subject_type="ingest.submission", subject_id="S-1")


def test_json_shape_is_stable(report):
    data = report.to_json()
    assert set(data) == {
        "version",
        "stage",
        "scheme",
        "category",
        "outcome",
        "started_at",
        "finished_at",
        "environment",
        "institution_id",
        "summary",
        "results",
    }
    assert data["outcome"] == "failed" and "GD-3-3" in data["summary"]["failed_codes"]
    first = data["results"][0]
    assert set(first) == {"code", "name", "dimension", "target", "outcome", "evidence", "rule", "blocking"}
    assert sum(data["summary"]["counts"].values()) == len(data["results"])
    again = CheckReport.from_json(data)
    assert again.to_json() == data
    assert {"code": "GD-3-3", "target": "file:b/正文.pdf"} in report.failures()


def test_save_report_writes_rows_and_one_audit_event(run, report):
    assert run.outcome == "failed" and run.scheme_code == "GD-WS"
    assert CheckResult.objects.filter(run=run).count() == len(report.results)
    bad = CheckResult.objects.get(run=run, code="GD-3-3", target="file:b/正文.pdf")
    assert bad.outcome == "failed" and bad.evidence["mime"] == "image/jpeg" and bad.rule
    events = AuditEvent.objects.filter(action="checks.run")
    assert events.count() == 1
    event = events.get()
    assert event.object_id == "S-1" and event.after["outcome"] == "failed"
    assert "GD-3-3" in event.after["failed_codes"]


def test_pdf_is_chinese_and_lists_every_failed_item(report):
    pdf = render_report_pdf(report, "四性检测报告 测试")
    assert pdf.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(io.BytesIO(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for expected in (
        "四性检测报告",
        "真实性",
        "可用性",
        "不通过",
        "GD-3-3",
        "内容数据格式检测",
        "待人工",
        "扩展名与文件内容不符",
    ):
        assert expected in text, expected


def test_report_pages_need_review_permission_and_scope(
    run, logged_in, make_user, archivist, sysadmin, system
):
    client = logged_in(archivist)
    page = client.get(f"/checks/runs/{run.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "不通过" in html and "GD-3-3" in html and "outcome-failed" in html
    assert "原因：扩展名与文件内容不符" in html  # evidence shown in Chinese, stored in English
    pdf = client.get(f"/checks/runs/{run.public_id}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = client.get(f"/checks/runs/{run.public_id}/report.json").json()
    assert data["outcome"] == "failed"
    api = client.get(f"/api/v1/checks/runs/{run.public_id}")
    assert api.status_code == 200 and api.json()["subject_id"] == "S-1"

    # another institution's archivist: the run does not exist for them
    other = account_services.create_institution(
        system, code="QT", name="其他馆", kind=Institution.Kind.ARCHIVE
    )
    outsider = make_user("outsider", "archivist", institution=other)
    client = logged_in(outsider)
    assert client.get(f"/checks/runs/{run.public_id}/").status_code == 404
    assert client.get(f"/api/v1/checks/runs/{run.public_id}").status_code == 404
    # the system administrator configures checks but does not read submissions' reports
    assert logged_in(sysadmin).get(f"/checks/runs/{run.public_id}/").status_code == 404
    assert logged_in(archivist).get("/checks/runs/not-a-uuid/").status_code == 404


def test_a_person_decides_pending_items_and_the_run_outcome_follows(tmp_path, archive, archivist, logged_in):
    from lantai.checks import hooks
    from lantai.checks.models import CheckResult as Row

    Fonds.objects.get_or_create(code=FONDS, defaults={"name": "兰台市档案局", "institution": archive})
    b = PackageBuilder(tmp_path, institution_id=archive.pk)
    b.item(ws_metadata(1), ("a/正文.pdf", pdf_bytes()))
    with transaction.atomic():
        run = save_report(run_checks(b.build()), subject_type="ingest.submission", subject_id="S-2")
    assert run.outcome == "manual"
    pending = list(Row.objects.filter(run=run, outcome__in=["manual", "not_performed"]).order_by("position"))
    assert {r.code for r in pending} >= {"GD-2-5", "GD-4-2"}
    seen = []
    hooks.RUN_LISTENERS.append(seen.append)
    try:
        client = logged_in(archivist)
        page = client.get(f"/checks/runs/{run.public_id}/").content.decode()
        assert "待人工" in page and 'name="note"' in page
        # a note is required
        client.post(f"/checks/runs/{run.public_id}/", {"position": pending[0].position, "outcome": "passed"})
        assert Row.objects.get(pk=pending[0].pk).outcome == pending[0].outcome
        for row in pending:
            response = client.post(
                f"/checks/runs/{run.public_id}/",
                {"position": row.position, "outcome": "passed", "note": "已人工核对办理过程记录"},
            )
            assert response.status_code == 302
    finally:
        hooks.RUN_LISTENERS.remove(seen.append)
    run.refresh_from_db()
    assert run.outcome == "passed"
    assert len(seen) == len(pending)
    decided = Row.objects.get(pk=pending[0].pk)
    assert decided.decided_by == "archivist" and decided.evidence["decision"]["previous"] in (
        "manual",
        "not_performed",
    )
    assert run.report["results"][pending[0].position]["outcome"] == "passed"
    assert AuditEvent.objects.filter(action="checks.result_decided", object_id="S-2").count() == len(pending)
    # a decided (or automatic) result cannot be decided again
    again = client.post(
        f"/checks/runs/{run.public_id}/", {"position": pending[0].position, "outcome": "failed", "note": "x"}
    )
    assert again.status_code == 200 and "只能对待人工或未执行的项目记录结果" in again.content.decode()
    assert Row.objects.get(pk=pending[0].pk).outcome == "passed"


def test_failing_a_manual_item_fails_the_run(run, archivist):
    from lantai.accounts.actor import Actor
    from lantai.checks import services
    from lantai.checks.models import CheckResult as Row

    row = Row.objects.filter(run=run, outcome="manual").first()
    assert row is not None
    decided = services.decide_result(
        Actor.for_user(archivist), str(run.public_id), row.position, "failed", "超出归档范围"
    )
    assert decided.outcome == "failed" and row.code in decided.summary["failed_codes"]


def test_decisions_need_review_permission(run, sysadmin):
    from lantai.accounts.actor import Actor
    from lantai.checks import services
    from lantai.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decide_result(Actor.for_user(sysadmin), str(run.public_id), 0, "passed", "x")


def test_evidence_is_described_in_chinese_with_short_digests():
    from django.utils.translation import override

    from lantai.checks.labels import describe_evidence

    with override("zh-hans"):
        text = describe_evidence(
            {
                "declared": {"sm3": "ab" * 32},
                "errors": [{"field": "date", "rule": "date", "message": "日期“20111345”不是有效日期。"}],
                "reason": "no digest declared",
                "encrypted": False,
            }
        )
    assert text.split("；") == [
        '声明值：{"sm3": "abababababab…"}',
        "错误：日期“20111345”不是有效日期。",
        "原因：未声明数字摘要",
        "加密：否",
    ]


def test_report_partial_groups_problems_by_object(report):
    from django.template.loader import render_to_string
    from django.utils.translation import override

    with override("zh-hans"):
        html = render_to_string("checks/report.html", {"report": report.to_json()})
    assert "按对象" in html
    by_object = html.split("按对象", 1)[1].split("</table>", 1)[0]
    assert "b/正文.pdf" in by_object and "GD-3-3" in by_object
    assert (
        "a/正文.pdf" not in by_object
        or "GD-3-3" not in by_object.split("a/正文.pdf", 1)[1].split("</tr>", 1)[0]
    )


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([("passed", True), ("warning", True)], "passed"),
        ([("failed", False), ("passed", True)], "passed"),  # a warning-only item never rejects
        ([("not_performed", False), ("passed", True)], "passed"),
        ([("not_performed", True), ("passed", True)], "manual"),  # e.g. no antivirus
        ([("manual", False), ("passed", True)], "manual"),
        ([("manual", True), ("failed", True)], "failed"),
    ],
)
def test_report_outcome_rules(results, expected):
    from lantai.checks.package import Outcome
    from lantai.checks.runner import CheckResult as Result

    report = CheckReport(
        stage="GD",
        scheme_code="GD-WS",
        category_code="WS",
        results=[
            Result("GD-0-0", "x", "security", "package", Outcome(outcome), {}, "", blocking)
            for outcome, blocking in results
        ],
    )
    assert report.outcome == expected
    assert (report.failed_codes() != []) == (expected == "failed")
