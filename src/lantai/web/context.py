"""Template context: the module bar filtered by what the current user may do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lantai.accounts.actor import Actor
from lantai.web.navigation import MODULES


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_modules": []}
    actor = Actor.for_user(user)
    request.lantai_actor = actor  # type: ignore[attr-defined]
    modules = []
    for module in MODULES:
        pages = [p for p in module.pages if p.permission is None or actor.has(p.permission)]
        if module.key != "home" and not pages:
            continue
        modules.append({"key": module.key, "title": module.title, "pages": pages})
    return {"nav_modules": modules, "actor": actor}
