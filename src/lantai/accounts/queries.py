"""Read-side helpers for accounts: roles held, permissions and data scope of a user."""

from __future__ import annotations

from lantai.accounts.models import Institution, RoleAssignment, User


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
