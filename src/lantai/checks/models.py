"""The 四性检测 catalogue, schemes and allowed formats as editable data; check runs and their results.

DA/T 70-2018 is only partly readable (see cn-standards §4), so every item, name, method and
flag is a row an administrator may change; the seed migration loads the reconstructed set.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantai.core.ids import PublicIdField


class StageChoice(models.TextChoices):
    GD = "GD", _("Archiving")
    YJ = "YJ", _("Transfer and accession")
    BC = "BC", _("Preservation")


class DimensionChoice(models.TextChoices):
    AUTHENTICITY = "authenticity", _("Authenticity")
    INTEGRITY = "integrity", _("Integrity")
    USABILITY = "usability", _("Usability")
    SECURITY = "security", _("Security")


class ObjectChoice(models.TextChoices):
    PACKAGE = "package", _("Package")
    ITEM = "item", _("Item")
    FILE = "file", _("File")


class OutcomeChoice(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    WARNING = "warning", _("Warning")
    MANUAL = "manual", _("Manual check pending")
    NOT_PERFORMED = "not_performed", _("Not performed")


class CheckItem(models.Model):
    """One 检测项 of DA/T 70 (e.g. GD-1-7 档号规范性检测), automatic (runner key) or manual."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    stage = models.CharField(_("stage"), max_length=2, choices=StageChoice.choices)
    dimension = models.CharField(_("dimension"), max_length=12, choices=DimensionChoice.choices)
    name = models.CharField(_("name"), max_length=100)
    purpose = models.TextField(_("purpose"), blank=True)
    method = models.TextField(_("method"), blank=True)
    object = models.CharField(_("object"), max_length=10, choices=ObjectChoice.choices)
    automatic = models.BooleanField(_("automatic"), default=True)
    blocking = models.BooleanField(_("blocking"), default=True)  # a failure rejects the package
    runner = models.CharField(_("runner"), max_length=50, blank=True)  # empty: manual item
    params = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["stage", "sort", "code"]
        verbose_name = _("check item")
        verbose_name_plural = _("check items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CheckScheme(models.Model):
    """检测方案: the items run at one stage for one category (category empty = the stage default)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    stage = models.CharField(_("stage"), max_length=2, choices=StageChoice.choices)
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="check_schemes"
    )
    is_active = models.BooleanField(_("active"), default=True)
    items: models.ManyToManyField[CheckItem, CheckSchemeItem] = models.ManyToManyField(
        CheckItem, through="CheckSchemeItem", related_name="schemes"
    )

    class Meta:
        ordering = ["stage", "code"]
        verbose_name = _("check scheme")
        verbose_name_plural = _("check schemes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CheckSchemeItem(models.Model):
    scheme = models.ForeignKey(CheckScheme, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="entries")
    order = models.PositiveIntegerField(default=100)
    blocking = models.BooleanField(null=True, blank=True)  # None: the item's own flag
    params = models.JSONField(default=dict, blank=True)  # merged over the item's params

    class Meta:
        ordering = ["order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "item"], name="checks_scheme_item_unique")]

    def __str__(self) -> str:
        return f"{self.scheme_id}:{self.item_id}"

    def effective_blocking(self) -> bool:
        return self.item.blocking if self.blocking is None else self.blocking

    def effective_params(self) -> dict[str, object]:
        return {**(self.item.params or {}), **(self.params or {})}


class AllowedFormat(models.Model):
    """An archiving format (GB/T 18894-2016 practice): identified by content (MIME, PUID), not by name."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    mime_types = models.JSONField(default=list, blank=True)
    puids = models.JSONField(default=list, blank=True)
    extensions = models.JSONField(default=list, blank=True)  # lower case, without dot
    outcome = models.CharField(  # what an otherwise valid file of this format gets
        max_length=13,
        choices=[(OutcomeChoice.PASSED, _("Passed")), (OutcomeChoice.WARNING, _("Warning"))],
        default=OutcomeChoice.PASSED,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("allowed format")
        verbose_name_plural = _("allowed formats")

    def __str__(self) -> str:
        return self.name


class CheckRun(models.Model):
    """One execution of a scheme over a package, stored with the submission it judged."""

    public_id = PublicIdField()
    subject_type = models.CharField(max_length=40)  # e.g. "ingest.submission"
    subject_id = models.CharField(max_length=64)
    stage = models.CharField(max_length=2, choices=StageChoice.choices)
    scheme = models.ForeignKey(CheckScheme, null=True, blank=True, on_delete=models.SET_NULL)
    scheme_code = models.CharField(max_length=40, blank=True)  # kept if the scheme is deleted
    institution_id = models.BigIntegerField(null=True, blank=True, db_index=True)  # the sender; data scope
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=13, choices=OutcomeChoice.choices)
    summary = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)  # the full CheckReport.to_json()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.outcome}"


class CheckResult(models.Model):
    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="results")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    dimension = models.CharField(max_length=12, choices=DimensionChoice.choices)
    target = models.CharField(max_length=1100)  # "package" | "item:3" | "file:<path>"
    outcome = models.CharField(max_length=13, choices=OutcomeChoice.choices)
    evidence = models.JSONField(default=dict, blank=True)
    rule = models.TextField(blank=True)
    blocking = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)  # index in the run's report["results"]
    decided_by = models.CharField(max_length=150, blank=True)  # a person's decision on a 待人工 item
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position", "id"]
        indexes = [models.Index(fields=["run", "outcome"])]

    def __str__(self) -> str:
        return f"{self.code} {self.target} {self.outcome}"
