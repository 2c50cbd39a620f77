"""The issue's journey in the staff UI, in Chinese: create a fonds, import the README's sample
workbook, browse, edit with validation, print the 归档文件目录."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from django.urls import reverse

from lantai.catalog.models import Fonds, Item
from tests.catalog.test_import_ui import run_queued

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "文书目录示例.xlsx"


def test_new_user_journey(archivist, agency, logged_in):
    client = logged_in(archivist)
    # 1. a fonds
    created = client.post(
        reverse("catalog:fonds"),
        {"code": "Z109", "name": "清溪县人民政府办公室", "institution": str(agency.public_id)},
    )
    assert created.status_code == 302
    assert Fonds.objects.filter(code="Z109").exists()
    # 2. the sample workbook: check, then import
    page = client.get(reverse("catalog_io:import")).content.decode()
    assert "Excel 导入" in page and "上传并校验" in page
    upload = io.BytesIO(SAMPLE.read_bytes())
    upload.name = SAMPLE.name
    started = client.post(reverse("catalog_io:import"), {"fonds": "Z109", "category": "WS", "file": upload})
    status_url = started["Location"]
    run_queued()
    checked = client.get(status_url).content.decode()
    assert "导入全部 30 行" in checked
    import_id = status_url.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("catalog_io:import_commit", args=[import_id]))
    run_queued()
    assert "已导入 30 件" in client.get(status_url).content.decode()
    assert Item.objects.filter(fonds__code="Z109").count() == 30
    # 3. browse
    listing = client.get(reverse("catalog:items"), {"fonds": "Z109"}).content.decode()
    assert "Z109-WS·2023-" in listing and "清溪县" in listing
    # 4. edit with validation: an impossible date is refused in Chinese, a good one is saved
    item = Item.objects.filter(fonds__code="Z109").order_by("archival_code").first()
    assert item is not None
    refused = client.post(reverse("catalog:item_edit", args=[item.public_id]), {"f_date": "20231340"})
    assert refused.status_code == 200 and "不是有效日期" in refused.content.decode()
    item.refresh_from_db()
    assert item.date is not None and item.date.isoformat() != "2023-13-40"
    saved = client.post(reverse("catalog:item_edit", args=[item.public_id]), {"f_date": "20231108"})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.date.isoformat() == "2023-11-08"
    # 5. print the 归档文件目录
    pdf = client.get(reverse("catalog_io:print"), {"form": "catalogue", "fonds": "Z109", "year": "2023"})
    assert pdf["Content-Type"] == "application/pdf"
    doc = pdfium.PdfDocument(pdf.content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    assert "归档文件目录" in text and item.archival_code in text and "清溪县人民政府办公室" in text
