"""Writes for accounts: institutions, users, role assignments (三员 exclusivity), logins
with lockout, and API keys. Every change is an audit event in the same transaction."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lantai.accounts import roles
from lantai.accounts.actor import Actor
from lantai.accounts.models import ApiKey, Institution, Role, RoleAssignment, SecurityLevel, User
from lantai.audit import services as audit
from lantai.core.errors import (
    AuthenticationRequired,
    Conflict,
    LantaiError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from lantai.core.i18n import nfc


class InvalidCredentials(AuthenticationRequired):
    code = "auth.invalid_credentials"
    default_message = _("Wrong user name or password.")


class AccountDisabled(AuthenticationRequired):
    code = "auth.account_disabled"
    http_status = 403
    default_message = _("This account is disabled. Ask the system administrator.")


class AccountLocked(AuthenticationRequired):
    code = "auth.account_locked"
    http_status = 403
    default_message = _("Too many failed logins: this account is locked until %(until)s.")


class ApiKeyInvalid(AuthenticationRequired):
    code = "auth.api_key_invalid"
    default_message = _("The API key is not valid.")


class ApiKeyExpired(AuthenticationRequired):
    code = "auth.api_key_expired"
    default_message = _("The API key has expired.")


class ApiKeyRevoked(AuthenticationRequired):
    code = "auth.api_key_revoked"
    default_message = _("The API key has been revoked.")


class TrioExclusive(Conflict):
    code = "accounts.trio_exclusive"
    default_message = _(
        "The three administrator roles (system, security, audit) must be held by separate accounts, "
        "and such an account holds no other role."
    )


class WeakPassword(ValidationFailed):
    code = "accounts.weak_password"
    default_message = _("The password does not meet the password policy.")


class WrongCurrentPassword(ValidationFailed):
    code = "accounts.wrong_current_password"
    default_message = _("The current password is wrong.")


class BadInput(ValidationFailed):
    """A field of an account form is empty, too long or of the wrong form; details name it."""

    code = "accounts.bad_input"
    default_message = _("Check the field %(field)s: %(problem)s")

    def __init__(
        self, *, field: str, problem: str | Promise, code: str | None = None, details: Any = None
    ) -> None:
        super().__init__(
            code=code,
            details={"field": field, **(details or {})},
            field=FIELD_LABELS.get(field, field),
            problem=problem,
        )


FIELD_LABELS: dict[str, str | Promise] = {
    "username": _("user name"),
    "display_name": _("display name"),
    "clearance": _("security clearance"),
    "code": _("code"),
    "name": _("name"),
    "kind": _("kind"),
    "new_password": _("new password"),
    "expires_at": _("expiry date"),
    "password2": _("password again"),
    "action": _("action"),
}


# The login name goes into audit events and URLs: keep it to a safe, unambiguous alphabet.
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
INSTITUTION_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def _require_text(field: str, value: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise BadInput(code="accounts.required", field=field, problem=_("required"))
    if len(value) > max_length:
        raise BadInput(details={"max_length": max_length}, field=field, problem=_("too long"))
    return value


def _check_clearance(clearance: int) -> int:
    if clearance not in SecurityLevel.values:
        raise BadInput(
            code="accounts.bad_clearance",
            details={"allowed": list(SecurityLevel.values)},
            field="clearance",
            problem=_("not a security level"),
        )
    return clearance


# ---------------------------------------------------------------- institutions and users


def create_institution(
    actor: Actor,
    *,
    code: str,
    name: str,
    kind: str = Institution.Kind.CREATOR,
    parent: Institution | None = None,
) -> Institution:
    actor.require("accounts.manage_users")
    code = (code or "").strip()
    if not INSTITUTION_CODE_RE.match(code):
        raise BadInput(
            code="accounts.bad_institution_code",
            details={"value": code},
            field="code",
            problem=_("1 to 32 letters, digits, dot, dash or underscore"),
        )
    name = nfc(_require_text("name", name, 200))
    if kind not in Institution.Kind.values:
        raise BadInput(
            code="accounts.bad_institution_kind",
            details={"allowed": list(Institution.Kind.values)},
            field="kind",
            problem=_("not an institution kind"),
        )
    if Institution.objects.filter(code=code).exists():
        raise Conflict(
            _("An institution with code %(value)s already exists."),
            code="accounts.duplicate_code",
            value=code,
        )
    with transaction.atomic():
        inst = Institution.objects.create(code=code, name=name, kind=kind, parent=parent)
        audit.record(
            actor,
            "accounts.institution_created",
            object_type="institution",
            object_id=inst.public_id,
            after={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None},
        )
    return inst


def validate_password(password: str, user: User | None = None) -> None:
    """Apply the configured policy; the error lists every rule broken, by rule code."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        reasons = [{"rule": e.code or "policy", "message": " ".join(e.messages)} for e in exc.error_list]
        raise WeakPassword(details={"reasons": reasons}) from exc


def create_user(
    actor: Actor,
    *,
    username: str,
    password: str,
    display_name: str = "",
    institution: Institution | None = None,
    clearance: int = 1,
) -> User:
    actor.require("accounts.manage_users")
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise BadInput(
            code="accounts.bad_username",
            details={"value": username[:64]},
            field="username",
            problem=_("2 to 64 letters, digits, dot, dash, underscore or @"),
        )
    display_name = nfc((display_name or "").strip())
    if len(display_name) > 100:
        raise BadInput(details={"max_length": 100}, field="display_name", problem=_("too long"))
    _check_clearance(clearance)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            _("The user name %(username)s is taken."), code="accounts.duplicate_username", username=username
        )
    candidate = User(username=username, display_name=display_name, institution=institution)
    validate_password(password, candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.clearance = clearance
        candidate.password_changed_at = timezone.now()
        candidate.save()
        audit.record(
            actor,
            "accounts.user_created",
            object_type="user",
            object_id=candidate.public_id,
            after={
                "username": username,
                "display_name": display_name,
                "institution": institution.code if institution else None,
                "clearance": clearance,
            },
        )
    return candidate


def set_user_active(actor: Actor, user: User, active: bool) -> None:
    actor.require("accounts.manage_users")
    if not active and actor.user_id == user.pk:
        # Disabling oneself would leave the system without its administrator mid-session.
        raise Conflict(_("You cannot disable your own account."), code="accounts.cannot_disable_self")
    with transaction.atomic():
        before = user.is_active
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        audit.record(
            actor,
            "accounts.user_enabled" if active else "accounts.user_disabled",
            object_type="user",
            object_id=user.public_id,
            before={"active": before},
            after={"active": active},
        )


def change_password(actor: Actor, user: User, new_password: str) -> None:
    """An administrator sets a user's password, or a user sets their own (see change_own_password)."""
    if actor.user_id != user.pk:
        actor.require("accounts.manage_users")
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit.record(actor, "accounts.password_changed", object_type="user", object_id=user.public_id)


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A user's own change: the current password proves it is them at the keyboard."""
    actor = Actor.for_user(user)
    if not user.check_password(current_password):
        audit.record_failure(
            actor,
            "accounts.password_changed",
            object_type="user",
            object_id=user.public_id,
            outcome="denied",
            message="wrong current password",
        )
        raise WrongCurrentPassword()
    if current_password == new_password:
        raise BadInput(
            code="accounts.password_unchanged",
            field="new_password",
            problem=_("the new password must differ from the current one"),
        )
    change_password(actor, user, new_password)


class SelfGrant(PermissionDenied):
    code = "accounts.self_grant"
    default_message = _("Nobody may change their own roles or security clearance.")


def _refuse_self(actor: Actor, user: User) -> None:
    # 三员分立: the security administrator grants rights to others, never to themselves.
    if actor.user_id is not None and actor.user_id == user.pk:
        raise SelfGrant()


def set_clearance(actor: Actor, user: User, clearance: int) -> None:
    actor.require("accounts.assign_roles")
    _refuse_self(actor, user)
    _check_clearance(clearance)
    with transaction.atomic():
        before = user.clearance
        User.objects.filter(pk=user.pk).update(clearance=clearance)
        user.clearance = clearance
        audit.record(
            actor,
            "accounts.clearance_changed",
            object_type="user",
            object_id=user.public_id,
            before={"clearance": before},
            after={"clearance": clearance},
        )


# ---------------------------------------------------------------- roles


def assign_role(
    actor: Actor, user: User, role_code: str, institution: Institution | None = None
) -> RoleAssignment:
    """Grant a role. A 三员 role is exclusive: its holder holds nothing else, ever at once.

    A refusal leaves no row and writes a ``denied`` audit event."""
    actor.require("accounts.assign_roles")
    role = Role.objects.filter(code=role_code).first()
    try:
        _refuse_self(actor, user)
        if role is None:
            raise NotFound(_("There is no role %(role)s."), code="accounts.unknown_role", role=role_code)
        try:
            with transaction.atomic():
                # Lock the user row so that two concurrent grants cannot both pass the check.
                User.objects.select_for_update().filter(pk=user.pk).first()
                held = list(RoleAssignment.objects.filter(user=user).select_related("role"))
                if any(
                    a.role_id == role.pk and a.institution_id == (institution.pk if institution else None)
                    for a in held
                ):
                    raise Conflict(_("The user already holds this role."), code="accounts.role_already_held")
                if held and (role.is_trio or any(a.role.is_trio for a in held)):
                    raise TrioExclusive(
                        details={"held": sorted({a.role.code for a in held}), "requested": role.code}
                    )
                assignment = RoleAssignment.objects.create(
                    user=user,
                    role=role,
                    institution=institution,
                    is_trio=role.is_trio,
                    granted_by_id=actor.user_id,
                )
                audit.record(
                    actor,
                    "accounts.role_assigned",
                    object_type="user",
                    object_id=user.public_id,
                    after={"role": role.code, "institution": institution.code if institution else None},
                )
        except IntegrityError as exc:  # the partial unique index caught a concurrent grant
            raise TrioExclusive(details={"requested": role.code}) from exc
    except LantaiError as exc:
        audit.record_failure(
            actor,
            "accounts.role_assigned",
            object_type="user",
            object_id=user.public_id,
            after={"role": role_code, "institution": institution.code if institution else None},
            outcome="denied",
            message=exc.code,
        )
        raise
    return assignment


def revoke_role(actor: Actor, user: User, role_code: str, institution: Institution | None = None) -> None:
    actor.require("accounts.assign_roles")
    _refuse_self(actor, user)
    with transaction.atomic():
        deleted, _n = RoleAssignment.objects.filter(
            user=user, role__code=role_code, institution=institution
        ).delete()
        if not deleted:
            raise NotFound(_("The user does not hold this role."), code="accounts.role_not_held")
        audit.record(
            actor,
            "accounts.role_revoked",
            object_type="user",
            object_id=user.public_id,
            before={"role": role_code, "institution": institution.code if institution else None},
        )


def ensure_builtin_roles() -> None:
    for spec in roles.BUILTIN_ROLES:
        Role.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "is_trio": spec["is_trio"],
                "permissions": spec["permissions"],
                "description": spec["description"],
                "is_builtin": True,
            },
        )


# ---------------------------------------------------------------- login with lockout


def authenticate(username: str, password: str) -> User:
    """Check a login. Failures count towards a lockout; each outcome is an audit event.

    An unknown user name and a wrong password give the same error, so that logins cannot
    be used to find out which accounts exist."""
    user = User.objects.filter(username=username).first()
    if user is None:
        audit.record_failure(
            None, "accounts.login", object_type="user", object_id="", message=f"unknown user {username[:60]}"
        )
        raise InvalidCredentials()
    actor = Actor(kind="user", id=str(user.pk), name=user.username, institution_id=user.institution_id)
    if user.is_locked:
        audit.record_failure(
            actor,
            "accounts.login",
            object_type="user",
            object_id=user.public_id,
            outcome="denied",
            message="locked",
        )
        raise AccountLocked(until=timezone.localtime(user.locked_until).strftime("%Y-%m-%d %H:%M"))
    if not user.check_password(password):
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            locked.failed_login_count += 1
            fields = ["failed_login_count"]
            if locked.failed_login_count >= settings.LOGIN_MAX_FAILURES:
                locked.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                locked.failed_login_count = 0
                fields.append("locked_until")
            locked.save(update_fields=fields)
            audit.record(
                actor,
                "accounts.login",
                object_type="user",
                object_id=user.public_id,
                outcome="failure",
                message="wrong password",
            )
            if "locked_until" in fields:
                audit.record(
                    actor,
                    "accounts.locked",
                    object_type="user",
                    object_id=user.public_id,
                    after={"locked_until": str(locked.locked_until)},
                )
        raise InvalidCredentials()
    if not user.is_active:
        audit.record_failure(
            actor,
            "accounts.login",
            object_type="user",
            object_id=user.public_id,
            outcome="denied",
            message="disabled",
        )
        raise AccountDisabled()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            failed_login_count=0, locked_until=None, last_login=timezone.now()
        )
        audit.record(actor, "accounts.login", object_type="user", object_id=user.public_id)
    user.refresh_from_db()
    return user


def unlock(actor: Actor, user: User) -> None:
    actor.require("accounts.manage_users")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        audit.record(actor, "accounts.unlocked", object_type="user", object_id=user.public_id)


# ---------------------------------------------------------------- API keys

API_KEY_PREFIX = "lt"
LAST_USED_GRAIN = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_key(
    actor: Actor,
    *,
    institution: Institution,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the token is returned once and only its digest is stored."""
    actor.require("apikeys.manage")
    name = nfc(_require_text("name", name, 100))
    if expires_at is not None and expires_at <= timezone.now():
        raise BadInput(code="accounts.bad_expiry", field="expires_at", problem=_("must lie in the future"))
    if not institution.is_active:
        raise Conflict(_("The institution is inactive."), code="accounts.institution_inactive")
    unknown = [s for s in scopes if s not in roles.API_KEY_SCOPES]
    if unknown:
        raise ValidationFailed(
            _("Unknown API key scope."), code="accounts.unknown_scope", details={"scopes": unknown}
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            prefix=prefix,
            key_digest=_digest(token),
            institution=institution,
            scopes=scopes,
            created_by_id=actor.user_id,
            expires_at=expires_at,
        )
        audit.record(
            actor,
            "accounts.api_key_created",
            object_type="api_key",
            object_id=key.public_id,
            after={
                "name": name,
                "prefix": prefix,
                "institution": institution.code,
                "scopes": scopes,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return key, token


def revoke_api_key(actor: Actor, key: ApiKey) -> None:
    actor.require("apikeys.manage")
    if key.revoked_at is not None:
        raise Conflict(_("The API key is already revoked."), code="accounts.api_key_already_revoked")
    with transaction.atomic():
        now = timezone.now()
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=now)
        key.revoked_at = now
        audit.record(
            actor,
            "accounts.api_key_revoked",
            object_type="api_key",
            object_id=key.public_id,
            before={"prefix": key.prefix},
        )


def authenticate_api_key(token: str) -> ApiKey:
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        raise ApiKeyInvalid()
    key = ApiKey.objects.select_related("institution").filter(prefix=parts[1]).first()
    if key is None or not secrets.compare_digest(key.key_digest, _digest(token.strip())):
        raise ApiKeyInvalid()
    if key.revoked_at is not None:
        raise ApiKeyRevoked()
    if key.expires_at is not None and key.expires_at <= timezone.now():
        raise ApiKeyExpired()
    if not key.institution.is_active:
        raise ApiKeyInvalid()
    now = timezone.now()
    # At most one write a minute per key: a write on every request would serialise all API
    # traffic on SQLite's single writer lock, and "last used" needs no finer grain.
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRAIN:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
