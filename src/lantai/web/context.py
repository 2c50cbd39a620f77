"""Template context: the module bar filtered by what the current user may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lantai.accounts.actor import Actor
from lantai.web.navigation import MODULES


def actor_for(request: HttpRequest) -> Actor:
    """The signed-in user's actor, computed once per request (the view and the module bar share it)."""
    actor = getattr(request, "lantai_actor", None)
    if not isinstance(actor, Actor) or actor.user_id != getattr(request.user, "pk", None):
        actor = Actor.for_user(request.user)  # type: ignore[arg-type]
        request.lantai_actor = actor  # type: ignore[attr-defined]
    return actor


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": []}
    actor = actor_for(request)
    modules = []
    for module in MODULES:
        pages = [p for p in module.pages if p.permission is None or actor.has(p.permission)]
        if module.key != "home" and not pages:
            continue
        modules.append({"key": module.key, "title": module.title, "pages": pages})
    return {"nav_modules": modules, "actor": actor}
