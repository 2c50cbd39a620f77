"""Staff pages of the checks app: the check catalogue and its item editor, the schemes and their
editor (system.configure), and a stored check report as HTML, JSON or PDF (ingest.review)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lantai.accounts.actor import Actor
from lantai.checks import queries, services
from lantai.checks.models import AllowedFormat, CheckItem, CheckRun, DimensionChoice, StageChoice
from lantai.checks.runner import CheckReport, render_report_pdf
from lantai.core.errors import LantaiError, NotFound, PermissionDenied


def actor_for(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)  # type: ignore[arg-type]


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    filters = {k: request.GET.get(k, "") for k in ("stage", "dimension", "q")}
    try:
        items = list(queries.catalogue(actor, **filters))
    except PermissionDenied as exc:
        raise Http404 from exc
    return render(
        request,
        "checks/catalogue.html",
        {
            "items": items,
            "filters": filters,
            "stages": StageChoice.choices,
            "dimensions": DimensionChoice.choices,
            "can_edit": actor.has("system.configure"),
            "formats": list(queries.formats(actor)),
            "active_module": "system",
        },
    )


@login_required
def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("system.configure"):
        raise Http404
    item = CheckItem.objects.filter(code=code).first()
    if item is None:
        raise Http404
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", ""),
            "purpose": request.POST.get("purpose", ""),
            "method": request.POST.get("method", ""),
            "blocking": request.POST.get("blocking") == "on",
            "is_active": request.POST.get("is_active") == "on",
        }
        try:
            services.update_item(actor, item, values)
        except LantaiError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The check item was saved."))
            return redirect("checks:catalogue")
    return render(request, "checks/item_edit.html", {"item": item, "active_module": "system"})


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    try:
        schemes = list(queries.schemes(actor))
    except PermissionDenied as exc:
        raise Http404 from exc
    return render(
        request,
        "checks/schemes.html",
        {"schemes": schemes, "can_edit": actor.has("system.configure"), "active_module": "system"},
    )


@login_required
def scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("system.configure"):
        raise Http404
    try:
        scheme = queries.scheme(actor, code)
    except NotFound as exc:
        raise Http404 from exc
    current = {e.item.code: e for e in scheme.entries.select_related("item")}
    bad_json: list[str] = []
    if request.method == "POST":
        specs = []
        for item in CheckItem.objects.filter(stage=scheme.stage):
            if request.POST.get(f"use_{item.code}") != "on":
                continue
            order_raw = request.POST.get(f"order_{item.code}", "").strip()
            blocking_raw = request.POST.get(f"blocking_{item.code}", "")
            params_raw = request.POST.get(f"params_{item.code}")
            params: dict[str, object] | None = None  # field absent: keep the entry's parameters
            if params_raw is not None:
                try:
                    params = json.loads(params_raw) if params_raw.strip() else {}
                except ValueError:
                    bad_json.append(item.code)
            specs.append(
                services.EntrySpec(
                    item_code=item.code,
                    order=int(order_raw) if order_raw.isdigit() else item.sort,
                    blocking={"yes": True, "no": False}.get(blocking_raw),
                    params=params,
                )
            )
        try:
            if bad_json:
                raise services.SchemeInvalid(
                    reason=_("parameters must be a JSON object"), details={"items": bad_json}
                )
            services.set_scheme_entries(actor, scheme, specs, name=request.POST.get("name", scheme.name))
        except LantaiError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The check scheme was saved."))
            return redirect("checks:schemes")
    rows = []
    for item in CheckItem.objects.filter(stage=scheme.stage).order_by("sort", "code"):
        entry = current.get(item.code)
        rows.append(
            {
                "item": item,
                "used": entry is not None,
                "order": entry.order if entry else item.sort,
                "blocking": ""
                if entry is None or entry.blocking is None
                else ("yes" if entry.blocking else "no"),
                "params": json.dumps(entry.params, ensure_ascii=False) if entry and entry.params else "",
            }
        )
    return render(
        request, "checks/scheme_edit.html", {"scheme": scheme, "rows": rows, "active_module": "system"}
    )


def _run_or_404(request: HttpRequest, public_id: str) -> CheckRun:
    try:
        return queries.access_run(actor_for(request), public_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def run_report(request: HttpRequest, public_id: str) -> HttpResponse:
    run = _run_or_404(request, public_id)
    if request.method == "POST":
        position = request.POST.get("position", "")
        try:
            services.decide_result(
                actor_for(request),
                public_id,
                int(position) if position.isdigit() else -1,
                request.POST.get("outcome", ""),
                request.POST.get("note", ""),
            )
        except LantaiError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("checks:run", public_id=public_id)
    pending = [
        {"position": i, **r}
        for i, r in enumerate(run.report.get("results", []))
        if r.get("outcome") in services.DECIDABLE
    ]
    return render(
        request,
        "checks/run.html",
        {"run": run, "report": run.report, "pending": pending, "active_module": "collect"},
    )


@login_required
def run_report_json(request: HttpRequest, public_id: str) -> HttpResponse:
    run = _run_or_404(request, public_id)
    response = JsonResponse(run.report, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="check-report-{run.public_id}.json"'
    return response


@login_required
def run_report_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    run = _run_or_404(request, public_id)
    title = _("Check report (四性检测) %(subject)s") % {"subject": f"{run.subject_type}:{run.subject_id}"}
    pdf = render_report_pdf(CheckReport.from_json(run.report), title)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="check-report-{run.public_id}.pdf"'
    return response


@login_required
def format_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("system.configure"):
        raise Http404
    fmt = AllowedFormat.objects.filter(code=code).first() if code else None
    if code and fmt is None:
        raise Http404
    if request.method == "POST":
        values = {
            "name": request.POST.get("name", ""),
            "mime_types": request.POST.get("mime_types", ""),
            "puids": request.POST.get("puids", ""),
            "extensions": request.POST.get("extensions", ""),
            "outcome": request.POST.get("outcome", "passed"),
            "note": request.POST.get("note", ""),
            "is_active": request.POST.get("is_active") == "on",
        }
        try:
            services.save_format(actor, code or request.POST.get("code", ""), values)
        except LantaiError as exc:
            messages.error(request, exc.message, extra_tags=exc.code)
        else:
            messages.success(request, _("The archiving format was saved."))
            return redirect("checks:catalogue")
    return render(request, "checks/format_edit.html", {"format": fmt, "active_module": "system"})
