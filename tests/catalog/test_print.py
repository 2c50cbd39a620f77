"""Printed PDF lists: 归档文件目录 (cover + 9-column table, landscape, page numbers), 备考表 per
box, 盒脊 labels; Chinese text must come back out of the PDF."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent
from lantai.catalog import importing, printing
from lantai.core.errors import PermissionDenied
from tests.catalog.io_helpers import WS_HEADER, category, make_fonds, ws_row


@pytest.fixture
def fonds(agency):
    return make_fonds(agency)


@pytest.fixture
def actor(archivist, fonds):
    return Actor.for_user(archivist)


def load(fonds, rows, extra_headers=("盒号",)):
    importing.run_import(
        Actor.system("test"),
        fonds=fonds,
        category=category(),
        table=importing.RowsTable(WS_HEADER + list(extra_headers), rows),
        file_name="t.xlsx",
    )


def pdf_text(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def test_catalogue_pdf_has_cover_table_and_page_numbers(actor, fonds, tmp_path):
    rows = [[*ws_row(i), "", "复印件" if i == 3 else ""] for i in range(1, 61)]
    rows.append([*ws_row(61, 保管期限="D30", 密级="内部"), "", ""])
    load(fonds, rows, ("盒号", "备注"))
    pdf, name = printing.print_pdf(actor, printing.Selection(fonds, year=2011), "catalogue")
    assert name == "Z109-2011-归档文件目录.pdf"
    pages = pdf_text(pdf)
    assert len(pages) >= 3  # cover + at least two list pages for 61 rows
    cover = pages[0]
    for text in (
        "归档文件目录",
        "全宗号",
        "Z109",
        "全宗名称",
        "清溪县人民政府办公室",
        "年度",
        "2011",
        "保管期限",
        "永久",
    ):
        assert text in cover
    body = "".join(pages[1:])
    for header in ("序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"):
        assert header in pages[1] and header in pages[2]  # the header repeats on every page
    assert "Z109-WS·2011-Y-BGS-0001" in body and "清政办〔2011〕1号" in body
    assert "20110305" in body and "复印件" in body and "内部" in body
    assert "第 2 页" in pages[1]
    doc = pdfium.PdfDocument(pdf)
    width, height = doc[1].get_size()
    assert width > height  # A4 landscape
    doc[1].render(scale=1).to_pil().save(tmp_path / "catalogue-page.png")
    doc.close()
    event = AuditEvent.objects.get(action="catalog.printed")
    assert event.after["form"] == "catalogue" and event.after["items"] == 61


def test_notes_one_page_per_box(actor, fonds):
    rows = [[*ws_row(i), "1" if i <= 4 else "2"] for i in range(1, 8)]
    load(fonds, rows)
    signing = printing.NotesSigning(arranged_by="李档案", checked_by="王审核")
    pdf, _name = printing.print_pdf(actor, printing.Selection(fonds), "notes", signing=signing)
    pages = pdf_text(pdf)
    assert len(pages) == 2
    for text in (
        "备考表",
        "盒内文件情况说明",
        "整理人",
        "整理日期",
        "检查人",
        "检查日期",
        "李档案",
        "王审核",
    ):
        assert text in pages[0]
    assert "本盒共 4 件" in pages[0] and "本盒共 3 件" in pages[1]
    assert "0001—0004" in pages[0] and "0005—0007" in pages[1]


def test_spines_vertical_labels(actor, fonds):
    load(fonds, [[*ws_row(i), ""] for i in range(1, 6)])
    pdf, _name = printing.print_pdf(actor, printing.Selection(fonds), "spines", per_box=2)
    labels = [line.strip() for line in pdf_text(pdf)[0].splitlines() if line.strip()]
    # One label per box (5 items, 2 per box), each read top to bottom.
    assert labels == [
        "全宗号Z109年度2011保管期限永久起止件号0001｜0002盒号1",
        "全宗号Z109年度2011保管期限永久起止件号0003｜0004盒号2",
        "全宗号Z109年度2011保管期限永久起止件号0005｜0005盒号3",
    ]
    doc = pdfium.PdfDocument(pdf)
    textpage = doc[0].get_textpage()
    # Vertical: successive characters of a label share x and step down the page.
    first, second = textpage.get_charbox(0), textpage.get_charbox(1)
    assert abs(first[0] - second[0]) < 5 and second[1] < first[1]
    doc.close()


def test_boxes_group_recorded_and_loose_items():
    from lantai.catalog.models import Item

    items = [Item(number=i, year=2011, retention_id="Y", org_code="BGS", box_number="") for i in range(1, 6)]
    items[0].box_number = "3"
    boxes = printing.group_boxes(items, per_box=2)
    assert [(b.number, len(b.items)) for b in boxes] == [("3", 1), ("4", 2), ("5", 2)]


def test_print_needs_export_permission_and_visible_items(reader, fonds, actor):
    load(fonds, [[*ws_row(1, 开放状态="控制"), ""]])
    with pytest.raises(PermissionDenied):
        printing.print_pdf(Actor.for_user(reader), printing.Selection(fonds), "catalogue")
    with pytest.raises(printing.PrintEmpty):
        printing.print_pdf(actor, printing.Selection(fonds, year=1999), "catalogue")
    with pytest.raises(printing.PrintKindUnknown):
        printing.print_pdf(actor, printing.Selection(fonds), "poster")
