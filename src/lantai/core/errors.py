"""Stable error codes with Chinese/English messages, shared by UI, API, CLI and workers.

Every refusal Lantai gives is a ``LantaiError``: a stable ``code`` (for machines), a
message (English msgid, translated to Chinese by the zh_Hans catalogue) and optional
``details`` (for example the row, column and rule of an import error). The API renders
it as the envelope ``{"code", "message", "details"}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _


class LantaiError(Exception):
    code: str = "error"
    http_status: int = 400
    default_message: str | Promise = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        http_status: int | None = None,
        **params: Any,
    ) -> None:
        self.message_template = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.details = details
        self.params = params
        super().__init__(self.code)

    @property
    def message(self) -> str:
        """The message in the active language."""
        text = str(gettext(str(self.message_template)))
        return text % self.params if self.params else text

    def message_in(self, language: str) -> str:
        with override(language):
            return self.message

    def envelope(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return f"{self.code}: {self.message_in('en')}"


class NotFound(LantaiError):
    """Raised by permission-checked reads too, so that a hidden record looks absent."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(LantaiError):
    code = "permission_denied"
    http_status = 403
    default_message = _("You do not have permission to do this.")


class AuthenticationRequired(LantaiError):
    code = "auth.required"
    http_status = 401
    default_message = _("Please log in or present a valid API key.")


class ValidationFailed(LantaiError):
    code = "validation_failed"
    http_status = 422
    default_message = _("The input is not valid.")


class Conflict(LantaiError):
    code = "conflict"
    http_status = 409
    default_message = _("The request conflicts with the current state.")
