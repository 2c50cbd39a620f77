"""Staff pages for catalogue I/O: Excel import (upload → check → confirm, with progress and a
downloadable error report), Excel export of a filtered list, printed PDF lists. Thin: they
parse the request and call ``import_jobs``, ``exporting`` and ``printing``."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lantai.accounts.actor import Actor
from lantai.catalog import exporting, import_jobs, printing, queries
from lantai.catalog.models import Category, RetentionPeriod
from lantai.core.errors import LantaiError, NotFound

ACCEPTED_SUFFIXES = (".xlsx", ".csv", ".txt")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register_pages() -> None:
    """Module-bar entries (called from CatalogConfig.ready)."""
    from lantai.web.navigation import Page, register_page

    register_page(
        "arrange", Page("import", gettext_lazy("Excel import"), "catalog_io:import", "catalog.import")
    )
    register_page("arrange", Page("print", gettext_lazy("Printing"), "catalog_io:print", "catalog.export"))


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)  # type: ignore[arg-type]


def _require(actor: Actor, permission: str) -> None:
    if not actor.has(permission):
        raise Http404


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.import")
    fonds_list = list(queries.visible_fonds(actor).order_by("code"))
    categories = list(Category.objects.filter(is_active=True, schemes__is_current=True).distinct())
    error: LantaiError | None = None
    chosen = {"fonds": request.POST.get("fonds", ""), "category": request.POST.get("category", "WS")}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None or not upload.name:
                raise LantaiError(_("Choose an .xlsx or .csv file."), code="catalog.import.no_file")
            if not upload.name.lower().endswith(ACCEPTED_SUFFIXES):
                raise LantaiError(
                    _("Only .xlsx and .csv files can be imported."), code="catalog.import.unreadable_file"
                )
            fonds = queries.fonds_by_code(actor, chosen["fonds"])
            category = queries.category_by_code(chosen["category"])
            import_id = import_jobs.stage_upload(actor, upload, upload.name, fonds=fonds, category=category)
            import_jobs.start(actor, import_id, dry_run=True)
        except LantaiError as exc:
            error = exc
        else:
            return redirect("catalog_io:import_status", import_id=import_id)
    return render(
        request,
        "catalog/import.html",
        {
            "fonds_list": fonds_list,
            "categories": categories,
            "chosen": chosen,
            "error": error,
            "active_module": "arrange",
        },
        status=422 if error else 200,
    )


@login_required
def import_status(request: HttpRequest, import_id: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.import")
    try:
        state = import_jobs.status(actor, import_id)
    except NotFound as exc:
        raise Http404 from exc
    running = state.get("state") in ("staged", "queued", "checking", "writing")
    total = state.get("total") or 0
    percent = int(100 * (state.get("done") or 0) / total) if total else None
    return render(
        request,
        "catalog/import_status.html",
        {"s": state, "running": running, "percent": percent, "active_module": "arrange"},
    )


@login_required
@require_POST
def import_commit(request: HttpRequest, import_id: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.import")
    try:
        state = import_jobs.status(actor, import_id)
        if state.get("state") != "checked" or state.get("result", {}).get("error_count"):
            raise LantaiError(
                _("Only a checked file without errors can be imported."), code="catalog.import.not_checked"
            )
        import_jobs.start(actor, import_id, dry_run=False)
    except NotFound as exc:
        raise Http404 from exc
    except LantaiError as exc:
        messages.error(request, exc.message)
    return redirect("catalog_io:import_status", import_id=import_id)


@login_required
@require_POST
def import_discard(request: HttpRequest, import_id: str) -> HttpResponse:
    actor = _actor(request)
    _require(actor, "catalog.import")
    try:
        import_jobs.discard(actor, import_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.info(request, _("The uploaded file was removed."))
    return redirect("catalog_io:import")


@login_required
def import_report(request: HttpRequest, import_id: str) -> FileResponse:
    actor = _actor(request)
    _require(actor, "catalog.import")
    try:
        path = import_jobs.report_path(actor, import_id)
    except NotFound as exc:
        raise Http404 from exc
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入错误报告.xlsx")


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in queries.FILTER_KEYS if request.GET.get(k, "").strip()}


@login_required
def export_view(request: HttpRequest) -> HttpResponseBase:
    """The list page's filters (same GET parameters) → .xlsx download."""
    actor = _actor(request)
    _require(actor, "catalog.export")
    try:
        result = exporting.export_items(actor, _filters(request))
    except LantaiError as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    handle = result.path.open("rb")
    os.unlink(result.path)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=result.file_name)


@login_required
def import_template(request: HttpRequest, category: str) -> HttpResponse:
    """An empty workbook with the category's column names (the importer's headers)."""
    _require(_actor(request), "catalog.import")
    try:
        found = queries.category_by_code(category)
        data = exporting.import_template(found)
    except LantaiError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{found.name}导入模板.xlsx") or ""
    return response


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


@login_required
def print_page(request: HttpRequest) -> HttpResponse:
    """The print form; with ``form=`` and ``fonds=`` in the query it returns the PDF."""
    actor = _actor(request)
    _require(actor, "catalog.export")
    params = request.GET
    error: LantaiError | None = None
    if params.get("form") and params.get("fonds"):
        try:
            fonds = queries.fonds_by_code(actor, params["fonds"])
            selection = printing.Selection(
                fonds,
                params.get("category", ""),
                _int_or_none(params.get("year", "")),
                params.get("retention", ""),
                params.get("org", ""),
            )
            signing = printing.NotesSigning(
                arranged_by=params.get("arranged_by", ""),
                arranged_on=_date(params.get("arranged_on", "")),
                checked_by=params.get("checked_by", ""),
                checked_on=_date(params.get("checked_on", "")),
                remark=params.get("remark", ""),
            )
            pdf, name = printing.print_pdf(
                actor,
                selection,
                params["form"],
                signing=signing,
                per_box=_int_or_none(params.get("per_box", "")) or printing.DEFAULT_PER_BOX,
                spine_width_mm=_int_or_none(params.get("spine_width", "")) or 30,
            )
        except LantaiError as exc:
            error = exc
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            disposition = "attachment" if params.get("download") else "inline"
            response["Content-Disposition"] = (
                content_disposition_header(disposition == "attachment", name) or ""
            )
            return response
    context: dict[str, Any] = {
        "fonds_list": list(queries.visible_fonds(actor).order_by("code")),
        "categories": list(Category.objects.filter(is_active=True)),
        "retentions": list(RetentionPeriod.objects.all()),
        "p": params,
        "error": error,
        "active_module": "arrange",
        "forms": [
            ("catalogue", _("Archived documents list (归档文件目录)")),
            ("notes", _("Box notes (备考表)")),
            ("spines", _("Box spine labels (盒脊)")),
        ],
    }
    return render(request, "catalog/print.html", context, status=422 if error else 200)


def _date(text: str) -> date | None:
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None
