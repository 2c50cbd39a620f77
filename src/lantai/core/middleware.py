"""Per-request context (client IP, request id) for audit events written by services."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_supported_language_variant

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


class LanguageMiddleware(LocaleMiddleware):
    """Chinese first: staff pages are in ``LANGUAGE_CODE`` (zh-hans) unless the user chose
    another language with the switch (cookie); a browser's Accept-Language alone does not
    turn the UI into English. The API, spoken to by programs that set Accept-Language on
    purpose, follows that header."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
