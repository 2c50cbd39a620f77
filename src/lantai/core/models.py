"""Core tables: worker heartbeats (so stale jobs can be handed on), pipeline step runs and the
last runs of periodic callables."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """A live worker writes here every few seconds; a job whose worker stopped writing is
    re-queued by the sweeper, so a killed worker loses no work."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id}@{self.hostname}:{self.pid}"


class StepRun(models.Model):
    """One step of a pipeline for one subject (ARCHITECTURE rule 3): visible progress,
    retryable, idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        SKIPPED = "skipped"

    pipeline = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    step = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "subject_type", "subject_id", "step"], name="step_run_unique"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.pipeline}:{self.subject_type}:{self.subject_id}:{self.step}={self.status}"


class JobProbe(models.Model):
    """Written by the ``probe`` task, once per job (unique job id): shows that the queue and its
    workers run each job exactly once, for `lantai jobs probe` and the tests."""

    job_id = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    worker_pid = models.IntegerField(default=0)
    finished_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"probe {self.label} ({self.job_id})"


class PeriodicRun(models.Model):
    """When a periodic callable (``lantai.core.periodic``) last started and finished: the row
    is the claim that lets one of many workers run it once per interval."""

    name = models.CharField(max_length=80, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"periodic {self.name} @ {self.last_started_at}"
