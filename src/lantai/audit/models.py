"""The audit log: append-only events, each chained to the previous one by an SM3 digest."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    # Gapless position in the chain, taken from ChainHead under a lock (row ids may have gaps
    # after rolled-back transactions on PostgreSQL, so they cannot serve).
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_kind = models.CharField(max_length=10)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    institution_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    message = models.TextField(blank=True)
    ip = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.outcome}"


class ChainHead(models.Model):
    """One row: the last sequence number and hash. Locked by every writer, so the chain
    never forks, and compared by verification, so a deleted tail is noticed."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
