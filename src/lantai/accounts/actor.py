"""Who is acting: a user, a business system's API key, or the system itself.

Services take an ``Actor`` rather than a request, so that the web UI, the API, the CLI and
the workers share one permission check and one audit trail. An actor's data scope is the
set of institutions whose holdings it may reach (``None`` means every institution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lantai.core.errors import PermissionDenied

if TYPE_CHECKING:
    from lantai.accounts.models import ApiKey, User


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "apikey" | "system"
    id: str
    name: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    institution_scope: frozenset[int] | None = frozenset()
    clearance: int = 0
    institution_id: int | None = None
    user_id: int | None = None
    api_key_id: int | None = None

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, *permissions: str) -> None:
        """Raise permission_denied unless the actor holds every one of the permissions."""
        missing = [p for p in permissions if p not in self.permissions]
        if missing:
            raise PermissionDenied(details={"missing": missing})

    def may_reach_institution(self, institution_id: int | None) -> bool:
        if self.institution_scope is None:
            return True
        return institution_id is not None and institution_id in self.institution_scope

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The actor for migrations, the CLI bootstrap and background jobs started by the system."""
        from lantai.accounts.roles import PERMISSIONS

        return cls(
            kind="system",
            id=name,
            name=name,
            permissions=frozenset(PERMISSIONS),
            institution_scope=None,
            clearance=4,
        )

    @classmethod
    def for_user(cls, user: User) -> Actor:
        from lantai.accounts.queries import scope_of_user

        permissions, scope = scope_of_user(user)
        return cls(
            kind="user",
            id=str(user.pk),
            name=user.username,
            permissions=frozenset(permissions),
            institution_scope=scope,
            clearance=user.clearance,
            institution_id=user.institution_id,
            user_id=user.pk,
        )

    @classmethod
    def for_api_key(cls, key: ApiKey) -> Actor:
        return cls(
            kind="apikey",
            id=key.prefix,
            name=f"apikey:{key.prefix}:{key.name}",
            permissions=frozenset(key.scopes),
            institution_scope=frozenset({key.institution_id}),
            clearance=1,
            institution_id=key.institution_id,
            api_key_id=key.pk,
        )
