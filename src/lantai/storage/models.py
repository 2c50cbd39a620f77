"""Rows for stored objects: one per distinct content (keyed by SHA-256), with both digests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredObject(models.Model):
    """A content-addressed object in the object store. The same bytes are stored once,
    however many submissions or items refer to them."""

    class ReplicaStatus(models.TextChoices):
        NONE = "none", _("No replica configured")
        OK = "ok", _("Replicated")
        MISSING = "missing", _("Replica missing")

    key = models.CharField(max_length=80, unique=True)  # "sha256/<hex>"
    size = models.BigIntegerField()
    sm3 = models.CharField(max_length=64, db_index=True)
    sha256 = models.CharField(max_length=64, unique=True)
    first_stored_at = models.DateTimeField(default=timezone.now)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    replica_status = models.CharField(
        max_length=10, choices=ReplicaStatus.choices, default=ReplicaStatus.NONE
    )
    replica_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("stored object")

    def __str__(self) -> str:
        return self.key
