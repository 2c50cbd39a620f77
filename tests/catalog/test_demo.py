"""Demo catalogue: three fonds of a county archive, over 5,000 items of 文书, 照片 and 方言录音,
realistic and deterministic, loaded through the importer."""

from __future__ import annotations

import re

from django.db.models import Count

from lantai.accounts import demo as accounts_demo
from lantai.audit.models import AuditEvent
from lantai.catalog import demo
from lantai.catalog.models import Fonds, Item


def test_rows_are_deterministic_and_realistic():
    spec = demo.DEMO_FONDS[0]
    headers, rows = demo.rows_for(spec, "WS", 300)
    assert demo.rows_for(spec, "WS", 300) == (headers, rows)
    record = [dict(zip(headers, r, strict=True)) for r in rows]
    assert all(1995 <= r["年度"] <= 2024 for r in record)
    assert all(str(r["日期"]).startswith(str(r["年度"])) for r in record)
    numbers = [r["文号"] for r in record]
    assert all(re.fullmatch(r"清[\u4e00-\u9fff]{1,3}〔\d{4}〕\d+号", n) for n in numbers)
    assert any(n.startswith("清政办〔") for n in numbers)
    assert any(r["题名"].endswith("的通知") for r in record) and any("会议纪要" in r["题名"] for r in record)
    levels = [r["密级"] for r in record]
    assert levels.count("公开") + levels.count("内部") > 0.9 * len(levels)


def test_demo_loads_three_fonds_and_5000_items(db):
    accounts_demo.load()
    demo.load()
    assert Fonds.objects.count() == 3
    counts = dict(Item.objects.values_list("category__code").annotate(n=Count("id")))
    assert counts["WS"] >= 4000 and counts["ZP"] >= 500 and counts["LY"] >= 400
    assert sum(counts.values()) >= 5000
    assert Item.objects.filter(archival_code="").count() == 0
    photo = Item.objects.filter(category__code="ZP").first()
    assert (
        photo is not None
        and photo.extra["place"]
        and photo.extra["people"]
        and photo.archival_code.startswith("Z002-ZP·")
    )
    audio = Item.objects.filter(category__code="LY").first()
    assert (
        audio is not None and "发音人" in audio.title and audio.extra["speaker"] and audio.extra["duration"]
    )
    assert AuditEvent.objects.filter(action="catalog.imported").count() == 5
    statuses = set(Item.objects.values_list("open_status", flat=True))
    assert statuses == {"open", "controlled", "unreviewed"}
    # Running it again changes nothing (the fonds exist).
    demo.load()
    assert Item.objects.count() == sum(counts.values())
