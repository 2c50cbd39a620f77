"""Institutions, users, roles (the three administrators and business roles) and API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantai.core.ids import PublicIdField


class Institution(models.Model):
    """An archive, a records office, or a creating agency (立档单位) whose records form fonds."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", _("Archive")
        RECORDS_OFFICE = "records_office", _("Records office")
        CREATOR = "creator", _("Creating agency")

    public_id = PublicIdField()
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CREATOR)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SecurityLevel(models.IntegerChoices):
    """密级, ordered so that a user's clearance is the highest level they may read."""

    PUBLIC = 0, _("Public")
    INTERNAL = 1, _("Internal")
    SECRET = 2, _("Secret")
    CONFIDENTIAL = 3, _("Confidential")
    TOP_SECRET = 4, _("Top secret")


class User(AbstractUser):
    public_id = PublicIdField()
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    clearance = models.PositiveSmallIntegerField(
        _("security clearance"), choices=SecurityLevel.choices, default=SecurityLevel.INTERNAL
    )
    failed_login_count = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class Role(models.Model):
    """A named set of permission codes. Built-in roles are seeded by a migration."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    # One of the three administrators (三员): mutually exclusive with every other role.
    is_trio = models.BooleanField(default=False)
    is_builtin = models.BooleanField(default=False)
    permissions = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A role held by a user, optionally limited to one institution's holdings (data scope)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    # Copied from the role so the database itself refuses a second 三员 role for one user.
    is_trio = models.BooleanField(default=False)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "institution"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_trio=True), name="one_trio_role_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role_id}@{self.institution_id}"


class ApiKey(models.Model):
    """A key for a business system; only a digest of the secret is stored."""

    public_id = PublicIdField()
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_digest = models.CharField(max_length=64)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="api_keys")
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
