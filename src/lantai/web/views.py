"""Staff UI views: thin — they parse the request, call a service or query, render."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lantai.accounts import roles as role_defs
from lantai.accounts import services as account_services
from lantai.accounts.models import ApiKey, Institution, SecurityLevel, User
from lantai.accounts.queries import role_codes_of
from lantai.audit import queries as audit_queries
from lantai.audit import services as audit
from lantai.core.errors import LantaiError
from lantai.web.account_views import show_error
from lantai.web.context import actor_for
from lantai.web.dashboard import ACTION_LABELS, recent_actions_of, widgets_for
from lantai.web.navigation import MODULES


def login_view(request: HttpRequest) -> HttpResponse:
    error = None
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        try:
            user = account_services.authenticate(username, password)
        except LantaiError as exc:
            error = exc
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            next_url = request.GET.get("next", "")
            # Only a path on this site: "//host" and "/\\host" are other sites to a browser.
            if next_url.startswith("/") and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts=None, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect("web:dashboard")
    return render(
        request, "web/login.html", {"error": error, "username": username}, status=401 if error else 200
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(
            actor_for(request), "accounts.logout", object_type="user", object_id=request.user.public_id
        )  # type: ignore[union-attr]
    logout(request)
    return redirect("web:login")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    user: User = request.user  # type: ignore[assignment]
    roles = role_codes_of(user)
    role_names = [r["name"] for r in role_defs.BUILTIN_ROLES if r["code"] in roles]
    recent = [{"event": e, "label": ACTION_LABELS.get(e.action, e.action)} for e in recent_actions_of(actor)]
    return render(
        request,
        "web/dashboard.html",
        {
            "role_names": role_names,
            "is_trio": any(r in role_defs.TRIO for r in roles),
            "actor": actor,
            "widgets": widgets_for(actor),
            "recent": recent,
            "clearance": SecurityLevel(user.clearance).label,
            "active_module": "home",
        },
    )


@login_required
def module_page(request: HttpRequest, module: str) -> HttpResponse:
    actor = actor_for(request)
    found = next((m for m in MODULES if m.key == module), None)
    if found is None:
        raise Http404
    pages = [p for p in found.pages if p.permission is None or actor.has(p.permission)]
    if not pages:
        raise Http404
    return render(request, "web/module.html", {"module": found, "pages": pages, "active_module": found.key})


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("apikeys.manage"):
        raise Http404
    new_token = None
    if request.method == "POST":
        try:
            if request.POST.get("revoke"):
                key = ApiKey.objects.filter(prefix=request.POST["revoke"]).first()
                if key is None:
                    raise Http404
                account_services.revoke_api_key(actor, key)
                messages.success(request, _("The API key was revoked."))
            else:
                institution = Institution.objects.filter(pk=request.POST.get("institution") or 0).first()
                if institution is None:
                    raise LantaiError(_("Choose an institution."), code="accounts.unknown_institution")
                expires = parse_date(request.POST.get("expires_at", "") or "")
                key, new_token = account_services.create_api_key(
                    actor,
                    institution=institution,
                    name=request.POST.get("name", "").strip() or institution.name,
                    scopes=request.POST.getlist("scopes"),
                    expires_at=timezone.make_aware(datetime.combine(expires, datetime.min.time()))
                    if expires
                    else None,
                )
        except LantaiError as exc:
            show_error(request, exc)
    return render(
        request,
        "web/api_keys.html",
        {
            "keys": ApiKey.objects.select_related("institution"),
            "institutions": Institution.objects.all(),
            "scopes": role_defs.API_KEY_SCOPES,
            "new_token": new_token,
            "now": timezone.now(),
            "active_module": "system",
        },
    )


def _query_date(request: HttpRequest, name: str) -> date | None:
    """A YYYY-MM-DD query parameter; a malformed or impossible date (2020-13-45) is ignored."""
    try:
        return parse_date(request.GET.get(name, "") or "")
    except ValueError:
        return None


def _audit_filters(request: HttpRequest) -> dict[str, object]:
    since = _query_date(request, "since")
    until = _query_date(request, "until")
    return {
        "actor_name": request.GET.get("actor") or None,
        "action": request.GET.get("action") or None,
        "object_type": request.GET.get("object_type") or None,
        "object_id": request.GET.get("object_id") or None,
        "outcome": request.GET.get("outcome") or None,
        "since": timezone.make_aware(datetime.combine(since, datetime.min.time())) if since else None,
        "until": timezone.make_aware(datetime.combine(until, datetime.min.time())) + timedelta(days=1)
        if until
        else None,
    }


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not actor.has("audit.view"):
        raise Http404
    before_seq = request.GET.get("before")
    events = list(
        audit_queries.events_for(
            actor,
            limit=50,
            before_seq=int(before_seq) if before_seq and before_seq.isdigit() else None,
            **_audit_filters(request),
        )
    )
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "web/audit.html",
        {
            "events": events,
            "rows": [
                {
                    "e": e,
                    "label": ACTION_LABELS.get(e.action, ""),
                    "before": _compact_json(e.before),
                    "after": _compact_json(e.after),
                }
                for e in events
            ],
            "filters": request.GET,
            "query": query.urlencode(),
            "next_before": events[-1].seq if len(events) == 50 else None,
            "active_module": "system",
        },
    )


def _compact_json(value: object) -> str:
    """Before/after values as readable JSON (Chinese as characters), not Python reprs."""
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    actor = actor_for(request)
    if not actor.has("audit.view"):
        raise Http404
    qs = audit_queries.filtered_events(actor, **_audit_filters(request))  # type: ignore[arg-type]
    audit.record(
        actor,
        "audit.exported",
        object_type="audit_log",
        after={"filters": {k: str(v) for k, v in _audit_filters(request).items() if v}},
    )
    writer = csv.writer(_Echo())
    header = [
        "seq",
        "occurred_at",
        "actor_kind",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "ip",
        "message",
        "hash",
    ]

    def rows():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(header)  # BOM: Excel opens UTF-8 Chinese correctly
        for e in qs.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    timezone.localtime(e.occurred_at).isoformat(),
                    e.actor_kind,
                    e.actor_name,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.outcome,
                    e.ip,
                    e.message,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
