"""The HTTP API at /api/v1/: one NinjaAPI, each app's router mounted here, one error envelope.

Authentication: an institution's API key (``Authorization: Bearer lt_…`` or ``X-API-Key``)
or the staff session (with CSRF). Every refusal is ``{"code", "message", "details"}``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from lantai.accounts.api import ApiKeyAuth, SessionAuth
from lantai.accounts.api import router as accounts_router
from lantai.audit.api import router as audit_router
from lantai.catalog.api import router as catalog_router
from lantai.catalog.api_io import router as catalog_io_router
from lantai.checks.api import router as checks_router
from lantai.core.api import router as core_router
from lantai.core.errors import LantaiError
from lantai.ingest.api import router as ingest_router
from lantai.search.api import router as search_router

log = logging.getLogger(__name__)


class LantaiAPI(NinjaAPI):
    """NinjaAPI whose every answer under /api/v1/, even an unknown path or a wrong method, is
    the envelope. Ninja itself answers those two with Django's plain-text responses."""

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _envelope_not_allowed(pattern.callback)
        urls.append(re_path(r"^.*$", self._unknown_path, name="unknown"))
        return urls

    def _unknown_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return envelope(request, 404, "not_found", _("Not found."))

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """Publish the error envelope once and name it as every operation's error answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {
            "description": "Error envelope {code, message, details}; message per Accept-Language",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("default", error)
        return schema


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "description": "stable machine code, e.g. auth.api_key_expired"},
        "message": {"type": "string", "description": "Chinese by default, English with Accept-Language: en"},
        "details": {"description": "structured context (fields, rows, rules) or null"},
    },
}


def _envelope_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = envelope(
                request,
                405,
                "method_not_allowed",
                _("This method is not allowed here."),
                {"allowed": [m.strip() for m in allowed.split(",")]},
            )
            response["Allow"] = allowed
        return response

    return wrapper


class ReadableJSONRenderer(JSONRenderer):
    """Chinese text as characters, not \\u escapes: readable in logs and curl output."""

    json_dumps_params = {"ensure_ascii": False}


api = LantaiAPI(
    renderer=ReadableJSONRenderer(),
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
    code, message = {
        400: ("request.invalid", _("The request is not valid.")),
        401: ("auth.required", _("Please log in or present a valid API key.")),
        403: ("permission_denied", _("You do not have permission to do this.")),
        404: ("not_found", _("Not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
    }.get(exc.status_code, ("error", _("The request could not be carried out.")))
    return envelope(request, exc.status_code, code, message, {"reason": exc.message})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return envelope(request, 404, "not_found", _("Not found."))


@api.exception_handler(DjangoPermissionDenied)
def on_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return envelope(request, 403, "permission_denied", _("You do not have permission to do this."))


@api.exception_handler(Exception)
def on_unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log, never to the client: it can reveal paths and data.
    log.exception("unhandled error in %s %s", request.method, request.path)
    return envelope(
        request,
        500,
        "server_error",
        _("An internal error occurred. The administrator can find it in the log."),
    )


api.add_router("/", core_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/audit/", audit_router)
api.add_router("/catalogue/", catalog_router)
api.add_router("/catalogue-io/", catalog_io_router)
api.add_router("/ingest/", ingest_router)
api.add_router("/search", search_router)
api.add_router("/checks/", checks_router)
