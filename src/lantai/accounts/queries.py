"""Read-side helpers for accounts: roles held, permissions and data scope of a user."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution, RoleAssignment, User
from lantai.core.errors import NotFound


def scope_of_user(user: User) -> tuple[set[str], frozenset[int] | None]:
    """Permissions held and institutions reachable. A role assigned without an institution
    reaches every institution; otherwise the scope is the assigned institutions and their
    descendants."""
    permissions: set[str] = set()
    scope: set[int] = set()
    unlimited = False
    if not user.is_active:
        return permissions, frozenset()
    for assignment in RoleAssignment.objects.filter(user=user).select_related("role"):
        permissions.update(assignment.role.permissions)
        if assignment.institution_id is None:
            unlimited = True
        else:
            scope.update(descendants_of(assignment.institution_id))
    return permissions, (None if unlimited else frozenset(scope))


def descendants_of(institution_id: int) -> set[int]:
    found = {institution_id}
    frontier = [institution_id]
    while frontier:
        children = list(Institution.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def role_codes_of(user: User) -> list[str]:
    return list(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))


def access_user(actor: Actor, public_id: UUID | str) -> User:
    """A user account for the administrators who manage accounts or roles; NotFound for others,
    and for a malformed id, so that the page reveals nothing."""
    if not (actor.has("accounts.manage_users") or actor.has("accounts.assign_roles")):
        raise NotFound()
    try:
        return User.objects.select_related("institution").get(public_id=public_id)
    except (User.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound() from exc


def users_for_admin(actor: Actor) -> list[tuple[User, list[RoleAssignment]]]:
    """Every account with its role assignments, for the users page (two queries)."""
    if not (actor.has("accounts.manage_users") or actor.has("accounts.assign_roles")):
        raise NotFound()
    users = list(
        User.objects.select_related("institution")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("role", "institution").order_by("role_id"),
            )
        )
        .order_by("username")
    )
    return [(u, list(u.role_assignments.all())) for u in users]


def institutions_for_admin(actor: Actor) -> list[tuple[Institution, int]]:
    """Institutions in tree order (parents before children) with their depth."""
    if not (actor.has("accounts.manage_users") or actor.has("accounts.assign_roles")):
        raise NotFound()
    all_institutions = list(Institution.objects.order_by("code"))
    children: dict[int | None, list[Institution]] = {}
    for inst in all_institutions:
        children.setdefault(inst.parent_id, []).append(inst)
    ordered: list[tuple[Institution, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for inst in children.get(parent_id, []):
            ordered.append((inst, depth))
            walk(inst.pk, depth + 1)

    walk(None, 0)
    return ordered
