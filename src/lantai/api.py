"""The HTTP API at /api/v1/: one NinjaAPI, each app's router mounted here, one error envelope.

Authentication: an institution's API key (``Authorization: Bearer lt_…`` or ``X-API-Key``)
or the staff session (with CSRF). Every refusal is ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from lantai.accounts.api import ApiKeyAuth, SessionAuth
from lantai.accounts.api import router as accounts_router
from lantai.audit.api import router as audit_router
from lantai.core.api import router as core_router
from lantai.core.errors import LantaiError

api = NinjaAPI(
    title="Lantai 兰台 API",
    version="1",
    description="数字档案馆/室系统接口 — digital archives system API. "
    "Errors: {code, message, details}; messages follow Accept-Language (zh-hans default, en).",
    urls_namespace="api-v1",
    auth=[ApiKeyAuth(), SessionAuth()],
    docs_url="/docs",
)


def envelope(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(LantaiError)
def on_lantai_error(request: HttpRequest, exc: LantaiError) -> HttpResponse:
    return envelope(request, exc.http_status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {
            "location": ".".join(str(p) for p in err.get("loc", [])),
            "rule": err.get("type"),
            "message": err.get("msg"),
        }
        for err in exc.errors
    ]
    return envelope(request, 422, "request.invalid", _("The request is not valid."), details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    error = getattr(request, "lantai_auth_error", None)
    if isinstance(error, LantaiError):
        return envelope(request, error.http_status, error.code, error.message, error.details)
    return envelope(request, 401, "auth.required", _("Please log in or present a valid API key."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {404: "not_found", 403: "permission_denied", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return envelope(request, exc.status_code, code, str(exc))


api.add_router("/", core_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/audit/", audit_router)
