"""API authentication (API key or session) and the accounts routes (API keys)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.security import APIKeyHeader
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from lantai.accounts import services
from lantai.accounts.actor import Actor
from lantai.accounts.models import ApiKey, Institution
from lantai.core.errors import AuthenticationRequired, LantaiError, NotFound


class ApiKeyAuth(APIKeyHeader):
    """``Authorization: Bearer lt_…`` or ``X-API-Key: lt_…``."""

    param_name = "X-API-Key"

    def __call__(self, request: HttpRequest) -> Actor | None:
        header = request.headers.get("Authorization", "")
        token = (
            header[7:].strip()
            if header.lower().startswith("bearer ")
            else request.headers.get("X-API-Key", "")
        )
        if not token:
            return None
        try:
            key = services.authenticate_api_key(token)
        except LantaiError as exc:
            request.lantai_auth_error = exc  # type: ignore[attr-defined]
            return None
        actor = Actor.for_api_key(key)
        request.lantai_actor = actor  # type: ignore[attr-defined]
        return actor

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:  # pragma: no cover
        return None


class SessionAuth(NinjaSessionAuth):
    """The staff session; unsafe methods must carry the CSRF token like any form post."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        if getattr(request, "lantai_auth_error", None) is not None:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
            request.lantai_auth_error = AuthenticationRequired(  # type: ignore[attr-defined]
                _("The CSRF token is missing or wrong. Reload the page and try again."),
                code="auth.csrf_failed",
                http_status=403,
            )
            return None
        actor = Actor.for_user(user)
        request.lantai_actor = actor  # type: ignore[attr-defined]
        return actor


def actor_of(request: HttpRequest) -> Actor:
    actor = getattr(request, "lantai_actor", None) or getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise AuthenticationRequired()
    return actor


router = Router(tags=["accounts"])


class ApiKeyOut(Schema):
    id: UUID
    name: str
    prefix: str
    institution: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIn(Schema):
    name: str
    institution_code: str
    scopes: list[str]
    expires_at: datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    token: str


def _key_out(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.public_id,
        "name": key.name,
        "prefix": key.prefix,
        "institution": key.institution.code,
        "scopes": key.scopes,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }


@router.get("/api-keys", response=list[ApiKeyOut], summary="List API keys (system administrator)")
def list_api_keys(request: HttpRequest) -> list[dict[str, object]]:
    actor = actor_of(request)
    actor.require("apikeys.manage")
    return [_key_out(k) for k in ApiKey.objects.select_related("institution")]


@router.post("/api-keys", response={201: ApiKeyCreated}, summary="Create an API key; the token is shown once")
def create_api_key(request: HttpRequest, body: ApiKeyIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    actor.require("apikeys.manage")
    institution = Institution.objects.filter(code=body.institution_code).first()
    if institution is None:
        raise NotFound(code="accounts.unknown_institution")
    key, token = services.create_api_key(
        actor, institution=institution, name=body.name, scopes=body.scopes, expires_at=body.expires_at
    )
    return Status(201, {**_key_out(key), "token": token})


@router.post("/api-keys/{key_id}/revoke", response=ApiKeyOut, summary="Revoke an API key")
def revoke_api_key(request: HttpRequest, key_id: UUID) -> dict[str, object]:
    actor = actor_of(request)
    actor.require("apikeys.manage")
    key = ApiKey.objects.select_related("institution").filter(public_id=key_id).first()
    if key is None:
        raise NotFound()
    services.revoke_api_key(actor, key)
    return _key_out(key)
