"""API routes for catalogue I/O: upload a file for import (checked first, then confirmed), poll
its status and errors, download the error report; export a filtered list; print PDF lists."""

from __future__ import annotations

import os
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from lantai.accounts.api import actor_of
from lantai.catalog import exporting, import_jobs, printing, queries

router = Router(tags=["catalogue import/export"])


class ImportErrorOut(Schema):
    row: int
    column: str
    rule: str
    code: str
    value: str
    message: str


class ImportStatusOut(Schema):
    id: str
    state: str  # staged | queued | checking | writing | checked | done | rejected | failed
    dry_run: bool | None = None
    done: int | None = None
    total: int | None = None
    code: str | None = None
    message: str | None = None
    error_count: int | None = None
    errors: list[ImportErrorOut] | None = None
    result: dict[str, Any] | None = None
    has_report: bool = False


class ImportStartIn(Schema):
    fonds: str  # fonds code (全宗号)
    category: str  # category code (门类代码)


@router.post(
    "/imports",
    response={202: ImportStatusOut},
    summary="Upload an .xlsx/.csv for import; it is checked (dry run) in the background",
)
def start_import(request: HttpRequest, data: Form[ImportStartIn], file: File[UploadedFile]) -> Status[Any]:
    actor = actor_of(request)
    fonds = queries.fonds_by_code(actor, data.fonds)
    category = queries.category_by_code(data.category)
    import_id = import_jobs.stage_upload(
        actor, file, file.name or "import.xlsx", fonds=fonds, category=category
    )
    import_jobs.start(actor, import_id, dry_run=True)
    return Status(202, import_jobs.status(actor, import_id))


@router.post(
    "/imports/{import_id}/commit",
    response={202: ImportStatusOut},
    summary="Import a checked file: all rows or none",
)
def commit_import(request: HttpRequest, import_id: str) -> Status[Any]:
    actor = actor_of(request)
    import_jobs.start(actor, import_id, dry_run=False)
    return Status(202, import_jobs.status(actor, import_id))


@router.get("/imports/{import_id}", response=ImportStatusOut, summary="State, progress, preview and errors")
def import_status(request: HttpRequest, import_id: str) -> Any:
    return import_jobs.status(actor_of(request), import_id)


@router.get("/imports/{import_id}/errors.xlsx", summary="The error report (行号, 列名, 规则, 值, 说明)")
def import_report(request: HttpRequest, import_id: str) -> FileResponse:
    path = import_jobs.report_path(actor_of(request), import_id)
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入错误报告.xlsx")


class ExportFilter(Schema):
    fonds: str | None = None
    category: str | None = None
    year: str | None = None
    retention: str | None = None
    open_status: str | None = None
    security_level: str | None = None
    q: str | None = None


@router.get("/export.xlsx", summary="The visible items matching the list filters, as .xlsx")
def export(request: HttpRequest, filters: Query[ExportFilter]) -> FileResponse:
    actor = actor_of(request)
    result = exporting.export_items(actor, {k: v for k, v in filters.dict().items() if v})
    handle = result.path.open("rb")
    os.unlink(result.path)
    return FileResponse(handle, as_attachment=True, filename=result.file_name)


class PrintQuery(Schema):
    form: str  # catalogue | notes | spines
    fonds: str
    category: str = ""
    year: int | None = None
    retention: str = ""
    org: str = ""
    per_box: int = printing.DEFAULT_PER_BOX
    spine_width: int = 30


@router.get("/print.pdf", summary="归档文件目录 (catalogue), 备考表 (notes) or 盒脊 (spines) as PDF")
def print_list(request: HttpRequest, q: Query[PrintQuery]) -> HttpResponse:
    actor = actor_of(request)
    fonds = queries.fonds_by_code(actor, q.fonds)
    selection = printing.Selection(fonds, q.category, q.year, q.retention, q.org)
    pdf, name = printing.print_pdf(actor, selection, q.form, per_box=q.per_box, spine_width_mm=q.spine_width)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response
