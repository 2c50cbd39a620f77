"""Catalogue tables: fonds, categories with versioned metadata schemes, retention periods,
archival-code rules and counters, volumes and items.

Standards are data here: categories (DA/T 13 codes), retention periods (Y/D30/D10 and the
legacy 永久/长期/短期), metadata schemes and archival-code templates are rows seeded by
migrations and editable by administrators.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantai.accounts.models import Institution, SecurityLevel
from lantai.core.ids import PublicIdField


class OpenStatus(models.TextChoices):
    """开放状态 (mandatory on every item and volume)."""

    OPEN = "open", _("Open")
    CONTROLLED = "controlled", _("Controlled")
    UNREVIEWED = "unreviewed", _("Not yet reviewed")


class Arrangement(models.TextChoices):
    ITEM = "item", _("Item-level (件)")
    VOLUME = "volume", _("Volume-level (卷)")


class Category(models.Model):
    """门类, with its DA/T 13-2022 code (WS, KJ, KU, RS, ZP, LY, LX, …)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(max_length=80, blank=True)
    arrangement = models.CharField(
        _("arrangement"), max_length=10, choices=Arrangement.choices, default=Arrangement.ITEM
    )
    # 科技 (KJ) archives are arranged by project (项目) above volumes.
    uses_projects = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("category")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RetentionPeriod(models.Model):
    """保管期限: Y (永久), D30, D10 and the legacy 永久/长期/短期 kept as they were recorded."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=30)
    years = models.PositiveIntegerField(null=True, blank=True)  # None: permanent or undetermined
    is_legacy = models.BooleanField(default=False)
    sort_order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("retention period")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MetadataScheme(models.Model):
    """A versioned list of fields for one category. Items record the version they follow."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="schemes")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(_("name"), max_length=100)
    is_current = models.BooleanField(default=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["category", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(
                fields=["category"], condition=Q(is_current=True), name="one_current_scheme_per_category"
            ),
        ]
        verbose_name = _("metadata scheme")

    def __str__(self) -> str:
        return f"{self.category.code} v{self.version}"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    DATE = "date", _("Date")
    YEAR = "year", _("Year")
    CHOICE = "choice", _("Choice from a list")
    DURATION = "duration", _("Duration (hh:mm:ss)")


class MetadataField(models.Model):
    """One field of a scheme. ``is_core`` fields map to Item columns (``code`` is the column
    name); the others are stored in ``Item.extra`` and validated against this row."""

    scheme = models.ForeignKey(MetadataScheme, on_delete=models.CASCADE, related_name="fields")
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=50)  # Chinese label, also the Excel header
    name_en = models.CharField(max_length=80, blank=True)
    m_number = models.CharField(_("DA/T 46 number"), max_length=10, blank=True)  # e.g. "M33"
    data_type = models.CharField(max_length=10, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(default=False)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)  # value domain
    pattern = models.CharField(max_length=200, blank=True)  # regular expression
    # Other headers accepted for this field in Excel (e.g. 件号 for a photo's 张号).
    aliases = models.JSONField(default=list, blank=True)
    is_core = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=100)
    help_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_field_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Fonds(models.Model):
    """全宗. Its ``institution`` is the creating agency or holder; data scope follows it."""

    public_id = PublicIdField()
    code = models.CharField(_("fonds code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="fonds")
    history = models.TextField(_("history"), blank=True)  # 沿革
    start_year = models.PositiveIntegerField(null=True, blank=True)
    end_year = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fonds")
        verbose_name_plural = _("fonds")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CodeLevel(models.TextChoices):
    ITEM = "item", _("Item")
    VOLUME = "volume", _("Volume")
    VOLUME_ITEM = "volume_item", _("Item in a volume")


class ArchivalCodeRule(models.Model):
    """档号 template for a fonds × category × level, as an ordered list of components.

    ``components`` is a list of objects, e.g. for DA/T 22-2015 ``Z109-WS·2011-Y-BGS-0001``:
    ``[{"kind": "fonds_code"}, {"kind": "sep", "value": "-"}, {"kind": "category_code"},
    {"kind": "sep", "value": "·"}, {"kind": "year"}, …, {"kind": "number", "width": 4}]``.
    ``fonds`` null means the default rule for the category.
    """

    name = models.CharField(_("name"), max_length=100)
    fonds = models.ForeignKey(
        Fonds, null=True, blank=True, on_delete=models.CASCADE, related_name="code_rules"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="code_rules")
    level = models.CharField(max_length=12, choices=CodeLevel.choices, default=CodeLevel.ITEM)
    components = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fonds", "category", "level"], name="code_rule_unique"),
            models.UniqueConstraint(
                fields=["category", "level"], condition=Q(fonds__isnull=True), name="default_code_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ArchivalCodeCounter(models.Model):
    """Last number allocated within one class (the rendered code without its number),
    locked with SELECT … FOR UPDATE so that concurrent allocations never collide."""

    rule = models.ForeignKey(ArchivalCodeRule, on_delete=models.CASCADE, related_name="counters")
    scope_key = models.CharField(max_length=200)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "scope_key"], name="code_counter_unique")]

    def __str__(self) -> str:
        return f"{self.scope_key}: {self.last_number}"


class DescribedUnit(models.Model):
    """Columns shared by volumes and items (DA/T 18 / DA/T 46 core elements)."""

    public_id = PublicIdField()
    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    scheme = models.ForeignKey(MetadataScheme, null=True, blank=True, on_delete=models.PROTECT)
    archival_code = models.CharField(_("archival code"), max_length=100, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    retention = models.ForeignKey(
        RetentionPeriod, to_field="code", db_column="retention_code", on_delete=models.PROTECT
    )
    # 机构(问题)代码 and its name
    org_code = models.CharField(_("organisation or subject code"), max_length=20, blank=True)
    org_name = models.CharField(_("organisation or subject"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=1000)
    title_sort = models.CharField(max_length=2000, blank=True, db_index=True)  # pinyin key of the title
    responsible_party = models.CharField(_("responsible party"), max_length=500, blank=True)
    security_level = models.PositiveSmallIntegerField(
        _("security classification"), choices=SecurityLevel.choices, default=SecurityLevel.PUBLIC
    )
    open_status = models.CharField(
        _("open status"), max_length=12, choices=OpenStatus.choices, default=OpenStatus.UNREVIEWED
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    extra = models.JSONField(default=dict, blank=True)  # scheme fields outside the core columns
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)  # withdrawn from the catalogue

    class Meta:
        abstract = True


class Volume(DescribedUnit):
    """案卷 (volume-level arrangement); its items are 卷内文件."""

    number = models.PositiveIntegerField(_("volume number"), null=True, blank=True)  # 案卷号
    # 项目 (科技/基建 archives are arranged by project above volumes; part of their 档号)
    project_code = models.CharField(_("project code"), max_length=20, blank=True)
    project_name = models.CharField(_("project name"), max_length=200, blank=True)
    date_start = models.DateField(null=True, blank=True)
    date_end = models.DateField(null=True, blank=True)
    box_number = models.CharField(_("box"), max_length=20, blank=True)

    class Meta:
        ordering = ["fonds", "archival_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "archival_code"], condition=~Q(archival_code=""), name="volume_code_unique"
            )
        ]
        indexes = [models.Index(fields=["fonds", "category", "year", "retention"])]
        verbose_name = _("volume")

    def __str__(self) -> str:
        return self.archival_code or self.title


class Item(DescribedUnit):
    """件, or 卷内文件 when ``volume`` is set."""

    volume = models.ForeignKey(Volume, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveIntegerField(_("item number"), null=True, blank=True)  # 件号 / 卷内序号
    document_number = models.CharField(_("document number"), max_length=100, blank=True)  # 文号
    date = models.DateField(_("date"), null=True, blank=True)
    box_number = models.CharField(_("box"), max_length=20, blank=True)

    class Meta:
        ordering = ["fonds", "archival_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fonds", "archival_code"], condition=~Q(archival_code=""), name="item_code_unique"
            )
        ]
        indexes = [
            models.Index(fields=["fonds", "category", "year", "retention", "archival_code"]),
            models.Index(fields=["archival_code", "id"]),
            models.Index(fields=["title_sort", "id"]),
            # Keyset pages within one fonds (the list's usual filter), in both sort orders.
            models.Index(fields=["fonds", "archival_code", "id"], name="item_fonds_code_idx"),
            models.Index(fields=["fonds", "title_sort", "id"], name="item_fonds_title_idx"),
            models.Index(fields=["updated_at"]),
            # Covers the tree's grouped count with its visibility filters (index-only scan).
            models.Index(
                fields=[
                    "fonds",
                    "category",
                    "year",
                    "retention",
                    "security_level",
                    "open_status",
                    "deleted_at",
                ],
                name="item_tree_idx",
            ),
        ]
        verbose_name = _("item")

    def __str__(self) -> str:
        return self.archival_code or self.title
