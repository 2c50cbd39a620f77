"""Per-request context (client IP, request id) for audit events written by services."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lantai.core import context


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(ip=client_ip(request), request_id=uuid.uuid4().hex)
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy the operator sets REMOTE_ADDR correctly (e.g. waitress trusted_proxy);
    # X-Forwarded-For is not trusted here because any client can forge it.
    return request.META.get("REMOTE_ADDR", "") or ""
