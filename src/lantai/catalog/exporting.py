"""Excel export of any filtered item list: the list page's filters over the visible items,
Chinese headers in scheme order, streamed row by row (openpyxl ``write_only``), audited.

The workbook is written in the form the importer reads back (codes for 保管期限, Chinese
names for 密级 and 开放状态, dates as YYYYMMDD), so an export is also an import template.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.catalog.models import Category, Item, MetadataField
from lantai.catalog.seeds import OPEN_STATUS_NAMES, SECURITY_LEVEL_NAMES
from lantai.core.errors import LantaiError

MAX_EXPORT_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows
CHUNK = 2000
# Columns that are not scheme fields but help the reader of an export.
LEADING = [("fonds_code", "全宗号"), ("category_code", "门类")]


class ExportTooLarge(LantaiError):
    code = "catalog.export.too_large"
    default_message = _(
        "The list holds %(count)d items; an Excel export holds at most %(limit)d. Filter it further."
    )


@dataclass(frozen=True)
class ExportResult:
    path: Path
    file_name: str
    rows: int


def export_columns(category: Category | None) -> list[tuple[str, str]]:
    """(field code, Chinese header) in scheme order: the category's whole current scheme, or the
    core elements (shared by all schemes) for a list that mixes categories."""
    from lantai.catalog import importing, validation
    from lantai.catalog.seeds import core_fields

    if category is not None:
        scheme = importing.current_scheme(category)
        fields: list[MetadataField] = sorted(validation.fields_of(scheme), key=lambda f: (f.order, f.pk))
        pairs = [(f.code, f.name) for f in fields]
    else:
        pairs = [(spec["code"], spec["name"]) for spec in core_fields()]
    return LEADING + [p for p in pairs if p[0] not in ("fonds_code", "box_number")] + [("box_number", "盒号")]


def cell_value(item: Item, code: str) -> Any:
    if code == "fonds_code":
        return item.fonds.code
    if code == "category_code":
        return item.category.code
    if code == "retention":
        return item.retention_id
    if code == "security_level":
        return (
            SECURITY_LEVEL_NAMES[item.security_level] if 0 <= item.security_level < 5 else item.security_level
        )
    if code == "open_status":
        return OPEN_STATUS_NAMES.get(item.open_status, item.open_status)
    if code == "date":
        return item.date.strftime("%Y%m%d") if item.date else None
    if hasattr(item, code) and code not in ("extra", "scheme"):
        value = getattr(item, code)
        return None if value == "" else value
    value = item.extra.get(code)
    return None if value in ("", None) else value


def export_items(actor: Actor, filters: Mapping[str, Any], *, directory: Path | None = None) -> ExportResult:
    """Write the visible items matching ``filters`` to a new .xlsx file (caller removes it)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from lantai.catalog import queries

    actor.require("catalog.export")
    qs = queries.filter_items(queries.visible_items(actor), filters).select_related("fonds", "category")
    count = qs.count()
    if count > MAX_EXPORT_ROWS:
        raise ExportTooLarge(count=count, limit=MAX_EXPORT_ROWS)
    category = Category.objects.filter(code=str(filters.get("category") or "")).first()
    columns = export_columns(category)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(category.name + "目录" if category else "档案目录")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for _code, name in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    rows = 0
    for item in qs.order_by("fonds__code", "category__code", "archival_code", "id").iterator(
        chunk_size=CHUNK
    ):
        ws.append([cell_value(item, code) for code, _name in columns])
        rows += 1
    folder = directory or Path(settings.DATA_DIR) / "tmp" / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, suffix=".xlsx", prefix="export-")
    os.close(fd)
    path = Path(tmp_name)
    try:
        wb.save(path)
        with transaction.atomic():
            audit.record(
                actor,
                "catalog.exported",
                object_type="item_list",
                after={
                    "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
                    "rows": rows,
                },
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    label = category.name if category else "档案"
    return ExportResult(path=path, file_name=f"{label}目录-{stamp}.xlsx", rows=rows)


def import_template(category: Category) -> bytes:
    """An empty workbook with the category's import headers: required ones shaded, the field's
    help (form, value list) as a comment on the header cell, so no hint row can be imported."""
    import io

    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from lantai.catalog import importing, validation

    fields = sorted(validation.fields_of(importing.current_scheme(category)), key=lambda f: (f.order, f.pk))
    fields = [f for f in fields if f.code != "fonds_code"]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{category.name}目录"
    ws.append([f.name for f in fields] + ["盒号"])
    for cell, f in zip(ws[1], fields, strict=False):
        cell.font = Font(bold=True)
        if f.required:
            cell.fill = PatternFill("solid", fgColor="FDE9D9")
        hint = f.help_text or ("、".join(str(c) for c in f.choices) if f.choices else "")
        if hint:
            cell.comment = Comment(hint, "兰台")
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
