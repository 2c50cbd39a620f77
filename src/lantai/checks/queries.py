"""Reads of the check catalogue, schemes and stored runs, with permissions and data scope applied
in the query (a run outside the actor's institutions is "not found")."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

from lantai.accounts.actor import Actor
from lantai.checks.models import AllowedFormat, CheckItem, CheckRun, CheckScheme
from lantai.core.errors import NotFound, PermissionDenied

READ_PERMISSIONS = ("system.configure", "ingest.review")


def _require_any(actor: Actor, *permissions: str) -> None:
    if not any(actor.has(p) for p in permissions):
        raise PermissionDenied(details={"missing": list(permissions)})


def catalogue(actor: Actor, *, stage: str = "", dimension: str = "", q: str = "") -> QuerySet[CheckItem]:
    _require_any(actor, *READ_PERMISSIONS)
    items = CheckItem.objects.all()
    if stage:
        items = items.filter(stage=stage)
    if dimension:
        items = items.filter(dimension=dimension)
    if q:
        items = items.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return items.order_by("stage", "sort", "code")


def schemes(actor: Actor) -> QuerySet[CheckScheme]:
    _require_any(actor, *READ_PERMISSIONS)
    return CheckScheme.objects.select_related("category").order_by("stage", "code")


def scheme(actor: Actor, code: str) -> CheckScheme:
    found = schemes(actor).filter(code=code).first()
    if found is None:
        raise NotFound()
    return found


def formats(actor: Actor) -> QuerySet[AllowedFormat]:
    _require_any(actor, *READ_PERMISSIONS)
    return AllowedFormat.objects.order_by("sort", "code")


def visible_runs(actor: Actor) -> QuerySet[CheckRun]:
    """Runs the actor may read: reviewers of ingest within their institutions (None = all)."""
    if not actor.has("ingest.review"):
        return CheckRun.objects.none()
    runs = CheckRun.objects.all()
    if actor.institution_scope is not None:
        runs = runs.filter(institution_id__in=list(actor.institution_scope))
    return runs


def access_run(actor: Actor, public_id: str) -> CheckRun:
    try:
        return visible_runs(actor).get(public_id=public_id)
    except (CheckRun.DoesNotExist, ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound() from exc


def runs_for(actor: Actor, subject_type: str, subject_id: str) -> QuerySet[CheckRun]:
    return visible_runs(actor).filter(subject_type=subject_type, subject_id=str(subject_id))
