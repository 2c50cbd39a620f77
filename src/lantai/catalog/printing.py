"""Printed catalogue lists as PDF (DA/T 22-2015): the 归档文件目录 with its cover, the 备考表 of
each box and the 盒脊 (box spine) labels, set in a Chinese TrueType font.

Reads go through ``catalog.queries.visible_items`` (permission and data scope inside the
query); this module only lays out pages. Every print is audited (``catalog.printed``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.catalog.models import Fonds, Item, RetentionPeriod
from lantai.catalog.queries import visible_items
from lantai.core.errors import LantaiError
from lantai.core.pdf import register_cjk_font

SECURITY_NAMES = ["公开", "内部", "秘密", "机密", "绝密"]
LIST_HEADERS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
# Column widths in mm on A4 landscape (297 mm minus 2 × 15 mm margins = 267 mm).
LIST_WIDTHS_MM = [12, 48, 36, 36, 76, 17, 12, 12, 18]
MAX_PRINT_ITEMS = 50_000
DEFAULT_PER_BOX = 30
SPINE_WIDTHS_MM = (20, 30, 40, 50)


class PrintTooLarge(LantaiError):
    code = "catalog.print.too_large"
    default_message = _(
        "The selection holds %(count)d items; print at most %(limit)d at a time (filter by year)."
    )


class PrintEmpty(LantaiError):
    code = "catalog.print.empty"
    default_message = _("Nothing to print: no items match the selection.")


class PrintKindUnknown(LantaiError):
    code = "catalog.print.unknown_kind"
    default_message = _("Unknown print form %(kind)s: use catalogue, notes or spines.")


@dataclass(frozen=True)
class Selection:
    """What to print: a fonds and, optionally, one class of it (year × retention × 机构)."""

    fonds: Fonds
    category_code: str = ""
    year: int | None = None
    retention: str = ""
    org_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "fonds": self.fonds.code,
            "category": self.category_code,
            "year": self.year,
            "retention": self.retention,
            "org_code": self.org_code,
        }


@dataclass
class Box:
    number: str
    year: int | None
    retention: str
    org_code: str
    items: list[Item] = field(default_factory=list)

    @property
    def first_last(self) -> str:
        numbers = [i.number for i in self.items if i.number is not None]
        if not numbers:
            return ""
        return f"{min(numbers):04d}—{max(numbers):04d}"

    @property
    def pages(self) -> int:
        return sum(i.page_count or 0 for i in self.items)


@dataclass
class NotesSigning:
    """The people and dates written on each 备考表 (blank lines when not given)."""

    arranged_by: str = ""
    arranged_on: date | None = None
    checked_by: str = ""
    checked_on: date | None = None
    remark: str = ""


def select_items(actor: Actor, selection: Selection) -> QuerySet[Item]:
    actor.require("catalog.export")
    qs = visible_items(actor).filter(fonds=selection.fonds)
    if selection.category_code:
        qs = qs.filter(category__code=selection.category_code)
    if selection.year is not None:
        qs = qs.filter(year=selection.year)
    if selection.retention:
        qs = qs.filter(retention_id=selection.retention)  # type: ignore[misc]  # to_field="code"
    if selection.org_code:
        qs = qs.filter(org_code=selection.org_code)
    return qs.order_by("year", "retention__sort_order", "org_code", "number", "archival_code", "id")


def _items(actor: Actor, selection: Selection) -> list[Item]:
    qs = select_items(actor, selection)
    count = qs.count()
    if count == 0:
        raise PrintEmpty()
    if count > MAX_PRINT_ITEMS:
        raise PrintTooLarge(count=count, limit=MAX_PRINT_ITEMS)
    return list(qs.select_related("retention"))


def group_boxes(items: Iterable[Item], per_box: int = DEFAULT_PER_BOX) -> list[Box]:
    """Boxes as recorded in 盒号; items without one are boxed ``per_box`` at a time within
    their class, numbered after the recorded boxes."""
    boxes: list[Box] = []
    loose: list[Item] = []
    for item in items:
        if item.box_number:
            if boxes and boxes[-1].number == item.box_number and boxes[-1].year == item.year:
                boxes[-1].items.append(item)
            else:
                boxes.append(Box(item.box_number, item.year, item.retention_id, item.org_code, [item]))
        else:
            loose.append(item)
    next_number = 1 + max((int(b.number) for b in boxes if b.number.isdigit()), default=0)
    for (year, retention, org), members in groupby(loose, key=lambda i: (i.year, i.retention_id, i.org_code)):
        block = list(members)
        for start in range(0, len(block), per_box):
            boxes.append(Box(str(next_number), year, retention, org, block[start : start + per_box]))
            next_number += 1
    return boxes


def _styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    font = register_cjk_font()
    return {
        "font": font,
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK"),
        "head": ParagraphStyle("head", fontName=font, fontSize=9.5, leading=12, alignment=TA_CENTER),
        "title": ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=TA_CENTER),
        "cover": ParagraphStyle("cover", fontName=font, fontSize=15, leading=26),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER),
        "body": ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK"),
    }


def _retention_name(code: str) -> str:
    period = RetentionPeriod.objects.filter(code=code).first()
    return period.name if period else code


def _yyyymmdd(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _page_number(canvas: Any, doc: Any) -> None:
    from reportlab.lib.units import mm

    canvas.saveState()
    canvas.setFont(register_cjk_font(), 9)
    canvas.drawCentredString(doc.pagesize[0] / 2, 8 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def catalogue_pdf(fonds: Fonds, items: list[Item], selection: Selection) -> bytes:
    """归档文件目录: cover (全宗号, 全宗名称, 年度, 保管期限, 机构(问题)) then the 9-column table,
    A4 landscape, header repeated on every page, page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="归档文件目录",
        author="兰台 Lantai",
    )
    years = sorted({i.year for i in items if i.year})
    year_text = str(selection.year) if selection.year else (f"{years[0]}—{years[-1]}" if years else "")
    retentions = sorted({i.retention_id for i in items})
    retention_text = "、".join(_retention_name(r) for r in retentions)
    orgs = sorted({(i.org_name or i.org_code) for i in items if i.org_code or i.org_name})
    cover_rows = [
        ("全宗号", fonds.code),
        ("全宗名称", fonds.name),
        ("年度", year_text),
        ("保管期限", retention_text),
        ("机构(问题)", "、".join(orgs)),
    ]
    story: list[Any] = [Spacer(1, 35 * mm), Paragraph("归档文件目录", st["title"]), Spacer(1, 20 * mm)]
    cover = Table(
        [[Paragraph(k, st["cover"]), Paragraph(v or "", st["cover"])] for k, v in cover_rows],
        colWidths=[45 * mm, 120 * mm],
    )
    cover.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += [cover, PageBreak()]
    data: list[list[Any]] = [[Paragraph(h, st["head"]) for h in LIST_HEADERS]]
    for seq, item in enumerate(items, start=1):
        data.append(
            [
                str(seq),
                Paragraph(item.archival_code, st["cell"]),
                Paragraph(item.document_number, st["cell"]),
                Paragraph(item.responsible_party, st["cell"]),
                Paragraph(item.title, st["cell"]),
                _yyyymmdd(item.date),
                SECURITY_NAMES[item.security_level] if 0 <= item.security_level < 5 else "",
                str(item.page_count or ""),
                Paragraph(item.notes, st["cell"]),
            ]
        )
    table = Table(data, colWidths=[w * mm for w in LIST_WIDTHS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), st["font"]),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("ALIGN", (5, 1), (7, -1), "CENTER"),
            ]
        )
    )
    story.append(table)
    doc.build(story, onLaterPages=_page_number)
    return buffer.getvalue()


def notes_pdf(fonds: Fonds, boxes: list[Box], signing: NotesSigning) -> bytes:
    """备考表, one A4 page per box: 盒内文件情况说明, 整理人, 整理日期, 检查人, 检查日期."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm, bottomMargin=20 * mm
    )
    doc.title = "备考表"
    story: list[Any] = []
    for index, box in enumerate(boxes):
        if index:
            story.append(PageBreak())
        head = f"全宗号 {fonds.code}　年度 {box.year or ''}　保管期限 {_retention_name(box.retention)}"
        head += f"　盒号 {box.number}　起止件号 {box.first_last}"
        situation = f"本盒共 {len(box.items)} 件，{box.pages} 页。"
        if signing.remark:
            situation += signing.remark
        rows = [
            [Paragraph("盒内文件情况说明", st["body"]), ""],
            [Paragraph(situation, st["body"]), ""],
            [Paragraph("整理人", st["body"]), Paragraph(signing.arranged_by, st["body"])],
            [Paragraph("整理日期", st["body"]), Paragraph(_cn_date(signing.arranged_on), st["body"])],
            [Paragraph("检查人", st["body"]), Paragraph(signing.checked_by, st["body"])],
            [Paragraph("检查日期", st["body"]), Paragraph(_cn_date(signing.checked_on), st["body"])],
        ]
        table = Table(rows, colWidths=[40 * mm, 120 * mm], rowHeights=[12 * mm, 150 * mm] + [12 * mm] * 4)
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                    ("SPAN", (0, 0), (1, 0)),
                    ("SPAN", (0, 1), (1, 1)),
                    ("LINEBELOW", (0, 1), (-1, -2), 0.5, colors.black),
                    ("LINEAFTER", (0, 2), (0, -1), 0.5, colors.black),
                    ("VALIGN", (0, 1), (-1, 1), "TOP"),
                    ("VALIGN", (0, 2), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [Paragraph("备考表", st["h2"]), Spacer(1, 4 * mm), Paragraph(head, st["body"])]
        story += [Spacer(1, 4 * mm), table]
    doc.build(story)
    return buffer.getvalue()


def _cn_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def spines_pdf(fonds: Fonds, boxes: list[Box], width_mm: int = 30) -> bytes:
    """盒脊 labels, vertical Chinese text (one character under another), several per A4 sheet:
    全宗号, 年度, 保管期限, 起止件号, 盒号."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    font = register_cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle("盒脊")
    page_w, page_h = A4
    margin = 12 * mm
    label_w = width_mm * mm
    label_h = page_h - 2 * margin
    per_page = max(1, int((page_w - 2 * margin) // label_w))
    for index, box in enumerate(boxes):
        slot = index % per_page
        if index and slot == 0:
            canvas.showPage()
        x = margin + slot * label_w
        y_top = margin + label_h
        canvas.setLineWidth(0.6)
        canvas.rect(x, margin, label_w, label_h)
        entries = [
            ("全宗号", fonds.code),
            ("年度", str(box.year or "")),
            ("保管期限", _retention_name(box.retention)),
            ("起止件号", box.first_last.replace("—", "｜")),
            ("盒号", box.number),
        ]
        cursor = y_top - 8 * mm
        centre = x + label_w / 2
        for label, value in entries:
            canvas.setFont(font, 8)
            for ch in label:
                canvas.drawCentredString(centre, cursor, ch)
                cursor -= 3.6 * mm
            cursor -= 1.5 * mm
            size = 13 if width_mm >= 30 else 10
            if label == "盒号":  # read from across the room: the box number is set larger
                size = 22 if width_mm >= 30 else 14
            canvas.setFont(font, size)
            cursor -= (size - 13) * 0.35 * mm if size > 13 else 0
            for ch in _vertical(value):
                canvas.drawCentredString(centre, cursor, ch)
                cursor -= size * 0.42 * mm
            cursor -= 4 * mm
            canvas.line(x + 2 * mm, cursor + 2.5 * mm, x + label_w - 2 * mm, cursor + 2.5 * mm)
            cursor -= 2 * mm
    canvas.save()
    return buffer.getvalue()


def _vertical(text: str) -> Iterator[str]:
    """Characters top to bottom; hyphens and dashes turn into their vertical forms."""
    for ch in text:
        yield {"-": "︱", "—": "︱", "(": "︵", ")": "︶", "（": "︵", "）": "︶"}.get(ch, ch)


PRINT_KINDS = ("catalogue", "notes", "spines")


def print_pdf(
    actor: Actor,
    selection: Selection,
    kind: str,
    *,
    signing: NotesSigning | None = None,
    per_box: int = DEFAULT_PER_BOX,
    spine_width_mm: int = 30,
) -> tuple[bytes, str]:
    """Render one of the printed forms; returns the PDF and its file name. Audited."""
    if kind not in PRINT_KINDS:
        raise PrintKindUnknown(kind=kind)
    items = _items(actor, selection)
    fonds = selection.fonds
    if kind == "catalogue":
        pdf = catalogue_pdf(fonds, items, selection)
        name = "归档文件目录"
    elif kind == "notes":
        pdf = notes_pdf(fonds, group_boxes(items, per_box), signing or NotesSigning())
        name = "备考表"
    else:
        width = spine_width_mm if spine_width_mm in SPINE_WIDTHS_MM else 30
        pdf = spines_pdf(fonds, group_boxes(items, per_box), width)
        name = "盒脊"
    parts = [fonds.code, str(selection.year or ""), selection.retention, name]
    file_name = "-".join(p for p in parts if p) + ".pdf"
    with transaction.atomic():
        audit.record(
            actor,
            "catalog.printed",
            object_type="fonds",
            object_id=fonds.public_id,
            after={"form": kind, "items": len(items), **selection.as_dict()},
            institution_id=fonds.institution_id,
        )
    return pdf, file_name
