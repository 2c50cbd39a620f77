"""API routes of the core: health and who-am-I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from lantai.accounts.api import actor_of

router = Router(tags=["core"])


class Health(Schema):
    status: str
    version: str


class Me(Schema):
    kind: str
    name: str
    permissions: list[str]
    institution_id: int | None


@router.get("/health", response=Health, auth=None, summary="Service health")
def health(request: HttpRequest) -> dict[str, str]:
    from lantai import __version__

    return {"status": "ok", "version": __version__}


@router.get("/me", response=Me, summary="The authenticated user or API key")
def me(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    return {
        "kind": actor.kind,
        "name": actor.name,
        "permissions": sorted(actor.permissions),
        "institution_id": actor.institution_id,
    }
