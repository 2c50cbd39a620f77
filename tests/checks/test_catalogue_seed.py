"""The seeded DA/T 70 catalogue, formats and schemes are data with the expected shape."""

from __future__ import annotations

import pytest

from lantai.checks.models import AllowedFormat, CheckItem, CheckScheme
from lantai.checks.runner import RUNNERS, load_entries

pytestmark = pytest.mark.django_db


def test_every_stage_has_the_four_dimensions_and_known_codes():
    for stage in ("GD", "YJ", "BC"):
        dims = set(CheckItem.objects.filter(stage=stage).values_list("dimension", flat=True))
        assert dims == {"authenticity", "integrity", "usability", "security"}
    gd = {i.code: i for i in CheckItem.objects.filter(stage="GD")}
    assert gd["GD-1-7"].name == "档号规范性检测"
    assert gd["GD-4-2"].name == "病毒检测" and gd["GD-4-2"].runner == "virus_scan"
    assert CheckItem.objects.get(code="YJ-1-6").name == "元数据项数据包含特殊字符检测"
    assert CheckItem.objects.get(code="YJ-1-8").name == "元数据项数据重复性检测"
    assert CheckItem.objects.get(code="YJ-4-7").name == "移交过程安全性检测"
    assert CheckItem.objects.filter(code="BC-3-9", automatic=False).exists()  # 备份数据可恢复性
    assert not CheckItem.objects.filter(code__in=["YJ-2-9", "BC-2-9"]).exists()  # no 归档范围 after GD


def test_manual_items_have_no_runner_and_automatic_ones_a_registered_runner():
    import lantai.checks.items  # noqa: F401

    for item in CheckItem.objects.all():
        if item.automatic:
            assert item.runner in RUNNERS, item.code
        else:
            assert item.runner == "", item.code


def test_schemes_per_stage_and_category_differ_in_allowed_formats():
    assert CheckScheme.objects.filter(stage="GD", category__isnull=True, code="GD-DEFAULT").exists()
    ws = CheckScheme.objects.get(code="GD-WS")
    zp = CheckScheme.objects.get(code="GD-ZP")
    assert ws.category is not None and ws.category.code == "WS"
    ws_formats = ws.entries.get(item__code="GD-3-3").params["formats"]
    zp_formats = zp.entries.get(item__code="GD-3-3").params["formats"]
    assert "OFD" in ws_formats and "OFD" not in zp_formats
    # online schemes leave out the offline-carrier items; the offline scheme has them
    assert not ws.entries.filter(item__code="GD-4-5").exists()
    assert CheckScheme.objects.get(code="GD-OFFLINE").entries.filter(item__code="GD-4-5").exists()


def test_scheme_lookup_prefers_the_category_then_the_stage_default():
    assert load_entries("GD", "WS")[0] == "GD-WS"
    assert load_entries("GD", "KJ")[0] == "GD-DEFAULT"
    assert load_entries("YJ", "ZP")[0] == "YJ-ZP"


def test_scheme_override_of_blocking_is_applied():
    entry = CheckScheme.objects.get(code="GD-WS").entries.get(item__code="GD-1-1")
    entry.blocking = False
    entry.save()
    _code, entries = load_entries("GD", "WS")
    assert {e.code: e.blocking for e in entries}["GD-1-1"] is False


def test_allowed_formats_seeded():
    codes = set(AllowedFormat.objects.values_list("code", flat=True))
    assert {"PDFA", "PDF", "OFD", "JPEG", "TIFF", "JP2", "PNG", "MP3", "WAV", "MP4", "XML"} <= codes
    assert AllowedFormat.objects.get(code="PNG").outcome == "warning"
