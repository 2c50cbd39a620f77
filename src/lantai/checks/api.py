"""API routes of the checks app: the check catalogue and schemes (system.configure or
ingest.review), and stored check reports as JSON or PDF (ingest.review, within data scope)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from lantai.accounts.api import actor_of
from lantai.checks import queries
from lantai.checks.runner import CheckReport, render_report_pdf

router = Router(tags=["checks"])


class CheckItemOut(Schema):
    code: str
    stage: str
    dimension: str
    name: str
    purpose: str
    method: str
    object: str
    automatic: bool
    blocking: bool
    is_active: bool


class CatalogueFilter(Schema):
    stage: str = ""
    dimension: str = ""
    q: str = ""


class SchemeEntryOut(Schema):
    code: str
    order: int
    blocking: bool


class SchemeOut(Schema):
    code: str
    name: str
    stage: str
    category: str | None
    items: list[SchemeEntryOut]


@router.get("/catalogue", response=list[CheckItemOut], summary="The DA/T 70 check catalogue (四性检测项)")
def catalogue(request: HttpRequest, filters: Query[CatalogueFilter]) -> list[Any]:
    return list(queries.catalogue(actor_of(request), **filters.dict()))


@router.get("/schemes", response=list[SchemeOut], summary="Check schemes per stage and category")
def schemes(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for s in queries.schemes(actor_of(request)).prefetch_related("entries__item"):
        out.append(
            {
                "code": s.code,
                "name": s.name,
                "stage": s.stage,
                "category": s.category.code if s.category else None,
                "items": [
                    {"code": e.item.code, "order": e.order, "blocking": e.effective_blocking()}
                    for e in sorted(s.entries.all(), key=lambda e: (e.order, e.item.code))
                ],
            }
        )
    return out


@router.get("/runs/{public_id}", summary="A stored check report (JSON)")
def run_report(request: HttpRequest, public_id: str) -> dict[str, Any]:
    run = queries.access_run(actor_of(request), public_id)
    return {
        "run": str(run.public_id),
        "subject_type": run.subject_type,
        "subject_id": run.subject_id,
        **run.report,
    }


@router.get("/runs/{public_id}/pdf", summary="A stored check report as PDF")
def run_report_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    run = queries.access_run(actor_of(request), public_id)
    title = _("Check report (四性检测) %(subject)s") % {"subject": f"{run.subject_type}:{run.subject_id}"}
    response = HttpResponse(
        render_report_pdf(CheckReport.from_json(run.report), title), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="check-report-{run.public_id}.pdf"'
    return response
