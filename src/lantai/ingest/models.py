"""Submissions (SIPs) received for online archiving, their items and their files."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantai.accounts.models import ApiKey, Institution, User
from lantai.catalog.models import Category, Fonds, Item
from lantai.core.ids import PublicIdField


class SourceKind(models.TextChoices):
    API = "api", _("API (JSON and files)")
    DAT93 = "dat93", _("DA/T 93 transfer package")
    EEP = "eep", _("EEP (DA/T 48)")
    BAGIT = "bagit", _("BagIt bag")


class Submission(models.Model):
    """One received package. ``(institution, package_id, attempt)`` is unique: resending the
    same package id with the same content returns this row; after a failure or a return the
    agency may send corrected content under the same id (a new attempt)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CHECKING = "checking", _("Checking")
        PASSED = "passed", _("Passed, waiting in the pre-archive queue")
        FAILED = "failed", _("Failed the checks")
        RETURNED = "returned", _("Returned")
        ACCEPTED = "accepted", _("Accepted (archived)")

    public_id = PublicIdField()
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="submissions")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by_name = models.CharField(max_length=150, blank=True)
    package_id = models.CharField(_("package id"), max_length=200)
    attempt = models.PositiveIntegerField(default=1)
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="submissions")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    registration = models.JSONField(default=dict, blank=True)  # 归档登记表 as declared
    content_digest = models.CharField(max_length=64)  # SM3 of the canonical content listing
    package_declared = models.JSONField(default=dict, blank=True)
    package_computed = models.JSONField(default=dict, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    staging_key = models.CharField(max_length=64, blank=True)  # staging folder, "" once consumed
    # Declared but absent files (with their declarations), present but undeclared paths, notes.
    structure = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)  # the 四性检测 report (CheckReport.to_json)
    report_outcome = models.CharField(max_length=12, blank=True)
    check_run_id = models.CharField(max_length=64, blank=True)  # public id of the checks.CheckRun
    return_reason = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "package_id", "attempt"], name="submission_package_attempt_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]
        verbose_name = _("submission")

    def __str__(self) -> str:
        return f"{self.package_id} ({self.status})"


class SubmissionItem(models.Model):
    """One 件 of a submission; ``corrected`` holds the archivist's fixes, applied over
    ``metadata`` at acceptance."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField()
    metadata = models.JSONField(default=dict)
    corrected = models.JSONField(default=dict, blank=True)
    archival_code = models.CharField(max_length=100, blank=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["submission", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "seq"], name="submission_item_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}#{self.seq}"

    @property
    def values(self) -> dict[str, object]:
        return {**self.metadata, **self.corrected}


class SubmissionFile(models.Model):
    """A received file: its original path (NFC), digests, what was declared, and once
    accepted the key of the stored object."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    item = models.ForeignKey(
        SubmissionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )

    class Role(models.TextChoices):
        CONTENT = "content", _("Content or item metadata")
        STRUCTURE = "structure", _("Package structure (说明文件, 目录文件, BagIt tag files)")

    path = models.CharField(max_length=1000)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CONTENT)
    staged_name = models.CharField(max_length=1000)  # relative to the staging folder
    size = models.BigIntegerField()
    sm3 = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    digests = models.JSONField(default=dict, blank=True)  # every digest computed (sm3, sha256, md5 …)
    declared = models.JSONField(default=dict, blank=True)
    declared_size = models.BigIntegerField(null=True, blank=True)
    declared_created = models.CharField(max_length=50, blank=True)
    declared_format = models.CharField(max_length=50, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    puid = models.CharField(max_length=30, blank=True)
    object_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["submission", "path"]

    def __str__(self) -> str:
        return self.path
