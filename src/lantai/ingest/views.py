"""Staff pages of online archiving: submissions (with upload), one submission's report and
items, and the pre-archive queue (预归档库) with correction, acceptance and return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from lantai.accounts.actor import Actor
from lantai.catalog.models import Category, Fonds
from lantai.core.errors import LantaiError, NotFound
from lantai.ingest import queries, services
from lantai.ingest.models import Submission
from lantai.ingest.staging import Staging
from lantai.ingest.upload import StagedUpload, StagingUploadHandler


def actor_for(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)  # type: ignore[arg-type]


def _submission_or_404(actor: Actor, public_id: str) -> Submission:
    try:
        return queries.access_submission(actor, public_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("ingest.review"):
        raise Http404
    status = request.GET.get("status", "")
    qs = queries.visible_submissions(actor)
    if status:
        qs = qs.filter(status=status)
    return render(
        request,
        "ingest/submissions.html",
        {
            "submissions": qs[:200],
            "status": status,
            "statuses": Submission.Status.choices,
            "can_upload": actor.has("ingest.accept"),
            "fonds_list": Fonds.objects.filter(is_active=True).order_by("code")
            if actor.institution_scope is None
            else Fonds.objects.filter(is_active=True, institution_id__in=actor.institution_scope).order_by(
                "code"
            ),
            "categories": Category.objects.filter(is_active=True),
            "active_module": "collect",
        },
    )


@csrf_exempt
def upload(request: HttpRequest) -> HttpResponse:
    """The upload streams into staging through the hashing handler, which must be installed
    before the body is read — so CSRF is checked by ``_upload`` after that, not by the
    middleware (which would read the body first)."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    staging = Staging()
    request.upload_handlers = [StagingUploadHandler(staging, request)]
    try:
        return _upload(request, staging)
    finally:
        if not staging.kept:  # refused, or a resend of a known package: nothing stays staged
            staging.remove()


@csrf_protect
@require_POST
def _upload(request: HttpRequest, staging: Staging) -> HttpResponse:
    actor = actor_for(request)
    try:
        services.require_submit(actor)
        upload_file = request.FILES.get("package")
        if not isinstance(upload_file, StagedUpload):
            staging.remove()
            messages.error(request, _("Choose a package file to upload."))
            return redirect("ingest:submissions")
        name = (upload_file.name or "").lower()
        source = staging.root / ("upload.xml" if name.endswith(".xml") else "upload.zip")
        upload_file.staged.staged.rename(source)
        form = {k: request.POST.get(k, "") for k in ("fonds_code", "category_code", "package_id")}
        sub, created = services.submit_package(
            actor,
            source,
            kind=request.POST.get("kind", "auto") or "auto",
            form=form,
            staging=staging,
            upload_digests=upload_file.staged.digests,
        )
    except LantaiError as exc:
        staging.remove()
        messages.error(request, f"{exc.message} [{exc.code}]")
        return redirect("ingest:submissions")
    if created:
        messages.success(
            request,
            _("The package was received and checked: %(status)s.") % {"status": sub.get_status_display()},
        )
    else:
        messages.info(request, _("This package was received before; showing the earlier submission."))
    return redirect("ingest:detail", public_id=sub.public_id)


@login_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("ingest.review"):
        raise Http404
    sub = _submission_or_404(actor, public_id)
    items = list(sub.items.order_by("seq").prefetch_related("files"))
    preview = queries.preview_codes(sub) if sub.status == Submission.Status.PASSED else {}
    rows: list[dict[str, Any]] = [
        {
            "item": it,
            "values": it.values,
            "title": it.values.get("title", ""),
            "code": it.archival_code or preview.get(it.seq, ""),
            "files": list(it.files.all()),
        }
        for it in items
    ]
    return render(
        request,
        "ingest/detail.html",
        {
            "sub": sub,
            "rows": rows,
            "report": sub.report or None,
            "unlinked": sub.files.filter(item=None),
            "can_decide": actor.has("ingest.accept") and sub.status == Submission.Status.PASSED,
            "can_correct": actor.has("ingest.review") and sub.status == Submission.Status.PASSED,
            "active_module": "collect",
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = actor_for(request)
    sub = _submission_or_404(actor, public_id)
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            services.accept(actor, sub)
            messages.success(request, _("Accepted into the catalogue."))
        elif action == "return":
            services.return_submission(actor, sub, request.POST.get("reason", ""))
            messages.success(request, _("The submission was returned to the agency."))
        elif action == "correct":
            item = sub.items.filter(seq=int(request.POST.get("seq", "0") or 0)).first()
            if item is None:
                raise Http404
            field = request.POST.get("field", "").strip()
            if field:
                services.correct_item(actor, item, {field: request.POST.get("value", "")})
                messages.success(request, _("The correction was saved."))
        else:
            raise Http404
    except LantaiError as exc:
        messages.error(request, f"{exc.message} [{exc.code}]")
    return redirect("ingest:detail", public_id=sub.public_id)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("ingest.review"):
        raise Http404
    return render(
        request, "ingest/queue.html", {"submissions": queries.queue(actor)[:500], "active_module": "arrange"}
    )
