"""Scheme validation: raw strings from Excel/JSON/forms become typed values, and each
problem names the field, its Chinese label, the rule broken and the value."""

from __future__ import annotations

import datetime as dt

import pytest

from lantai.catalog import validation
from lantai.catalog.models import Category, MetadataScheme

pytestmark = pytest.mark.django_db

GOOD = {
    "fonds_code": "Z109",
    "year": "2011",
    "retention": "Y",
    "title": "关于2011年档案工作的通知",
    "responsible_party": "办公室",
    "date": "20110305",
    "open_status": "开放",
}


def scheme(code: str) -> MetadataScheme:
    return MetadataScheme.objects.get(category=Category.objects.get(code=code), is_current=True)


def errors_by_field(errors):
    return {e.field: e for e in errors}


def test_seeded_categories_and_schemes():
    codes = set(Category.objects.values_list("code", flat=True))
    assert codes == {"WS", "KJ", "KU", "RS", "ZY", "ZP", "LY", "LX", "SW", "SJ", "YJ", "WY", "MT"}
    ws = validation.field_map(scheme("WS"))
    assert ws["date"].m_number == "M33" and ws["title"].name == "题名" and ws["title"].required
    assert not ws["doc_type"].is_core and "通知" in ws["doc_type"].choices
    ly = validation.field_map(scheme("LY"))
    assert {"speaker", "dialect_area", "recording_place", "duration", "transcription"} <= set(ly)
    zp = validation.field_map(scheme("ZP"))
    assert zp["number"].name == "张号" and {"place", "people", "group_number"} <= set(zp)


def test_good_values_are_cleaned_into_types():
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, "page_count": "12", "unknown": "x"})
    assert errors == []
    assert cleaned["year"] == 2011
    assert cleaned["date"] == dt.date(2011, 3, 5)
    assert cleaned["retention"] == "Y"
    assert cleaned["open_status"] == "open"
    assert cleaned["page_count"] == 12
    assert "unknown" not in cleaned


@pytest.mark.parametrize(
    "raw", ["20110305", "2011-03-05", "2011/3/5", "2011.03.05", "2011年3月5日", "[20110305]", 40607, 40607.0]
)
def test_date_spellings(raw):
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, "date": raw})
    assert errors == []
    assert cleaned["date"] == dt.date(2011, 3, 5)


def test_datetime_from_excel_is_accepted():
    cleaned, errors = validation.validate_values(
        scheme("WS"), {**GOOD, "date": dt.datetime(2011, 3, 5, 0, 0)}
    )
    assert errors == [] and cleaned["date"] == dt.date(2011, 3, 5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("公开", 0), ("内部", 1), ("秘密", 2), ("机密", 3), ("绝密", 4), ("3", 3), (2, 2), ("机密★10年", 3)],
)
def test_security_levels(raw, expected):
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, "security_level": raw})
    assert errors == [] and cleaned["security_level"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("开放", "open"),
        ("控制", "controlled"),
        ("未审核", "unreviewed"),
        ("open", "open"),
        ("延期开放", "controlled"),
    ],
)
def test_open_statuses(raw, expected):
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, "open_status": raw})
    assert errors == [] and cleaned["open_status"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Y", "Y"),
        ("D30", "D30"),
        ("d10", "D10"),
        ("定期30年", "D30"),
        ("永久", "永久"),
        ("长期", "长期"),
        ("短期", "短期"),
    ],
)
def test_retention_spellings(raw, expected):
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, "retention": raw})
    assert errors == [] and cleaned["retention"] == expected


@pytest.mark.parametrize(
    ("field", "raw", "rule"),
    [
        ("date", "20110231", "date"),
        ("date", "2011-3", "date"),
        ("date", "明天", "date"),
        ("date", "29990101", "reasonableness"),
        ("year", "11", "year"),
        ("year", "二〇一一", "year"),
        ("year", "2999", "reasonableness"),
        ("retention", "D20", "unknown_code"),
        ("security_level", "很秘密", "choice"),
        ("open_status", "半开放", "choice"),
        ("page_count", "十二", "integer"),
        ("page_count", "1.5", "integer"),
        ("page_count", "-3", "reasonableness"),
        ("number", "0", "reasonableness"),
        ("fonds_code", "Z 109", "pattern"),
        ("org_code", "B-GS", "pattern"),
        ("doc_type", "便条", "choice"),
        ("title", "题名\x00坏", "special_characters"),
        ("title", "长" * 1001, "max_length"),
        ("title", "   ", "required"),
    ],
)
def test_each_broken_rule_is_named(field, raw, rule):
    cleaned, errors = validation.validate_values(scheme("WS"), {**GOOD, field: raw})
    found = errors_by_field(errors)
    assert set(found) == {field}
    error = found[field]
    assert error.rule == rule
    assert error.label == validation.field_map(scheme("WS"))[field].name
    assert field not in cleaned
    if raw.strip():
        assert error.value[:5] == raw[:5]


def test_messages_are_chinese_by_default_and_english_on_request():
    from django.utils.translation import override

    with override("zh-hans"):
        _c, errors = validation.validate_values(scheme("WS"), {**GOOD, "date": "20110231"})
    assert "日期" in errors[0].message and "20110231" in errors[0].message and "YYYYMMDD" in errors[0].message
    assert "不是" in errors[0].message or "无效" in errors[0].message
    with override("en"):
        _c, errors = validation.validate_values(scheme("WS"), {**GOOD, "date": "20110231"})
    assert "not a valid date" in errors[0].message


def test_missing_required_fields_are_errors_unless_partial():
    _cleaned, errors = validation.validate_values(scheme("WS"), {"title": "x"})
    missing = {e.field for e in errors if e.rule == "required"}
    assert {"fonds_code", "year", "retention", "date", "open_status", "responsible_party"} <= missing
    cleaned, errors = validation.validate_values(scheme("WS"), {"title": "新题名"}, partial=True)
    assert errors == [] and cleaned == {"title": "新题名"}


def test_optional_empty_values_clean_to_empty():
    cleaned, errors = validation.validate_values(
        scheme("WS"), {**GOOD, "page_count": "", "document_number": " "}
    )
    assert errors == []
    assert cleaned["page_count"] is None and cleaned["document_number"] == ""


def test_excel_floats_become_text_and_integers():
    cleaned, errors = validation.validate_values(
        scheme("WS"), {**GOOD, "year": 2011.0, "document_number": 12.0}
    )
    assert errors == [] and cleaned["year"] == 2011 and cleaned["document_number"] == "12"


def test_dialect_recording_fields():
    raw = {
        **GOOD,
        "speaker": "张三",
        "duration": "3:25",
        "speaker_birth_year": "1948",
        "dialect_point_code": "330102",
    }
    cleaned, errors = validation.validate_values(scheme("LY"), raw)
    assert errors == []
    assert cleaned["duration"] == "0:03:25" and cleaned["speaker_birth_year"] == 1948
    _c, errors = validation.validate_values(scheme("LY"), {**raw, "duration": "三分钟"})
    assert [(e.field, e.rule) for e in errors] == [("duration", "duration")]
    _c, errors = validation.validate_values(scheme("LY"), {**GOOD})
    assert [(e.field, e.rule) for e in errors] == [("duration", "required")]


def test_header_map_accepts_names_aliases_and_codes():
    headers = validation.header_map(scheme("ZP"))
    assert headers["张号"].code == "number"
    assert headers["件号"].code == "number"
    assert headers["摄影时间"].code == "date"
    assert headers["日期"].code == "date"
    assert validation.lookup_header(scheme("WS"), "机构（问题）代码 *").code == "org_code"
    assert validation.lookup_header(scheme("WS"), " 题名* ").code == "title"
    assert validation.lookup_header(scheme("WS"), "nonsense") is None


def test_field_map_is_cached_until_cleared(django_assert_num_queries):
    ws = scheme("WS")
    validation.clear_cache()
    validation.validate_values(ws, GOOD)
    with django_assert_num_queries(0):
        validation.field_map(ws)
        validation.validate_values(ws, GOOD)


def test_seeding_again_keeps_administrators_edits():
    from django.apps import apps

    from lantai.catalog import seeds
    from lantai.catalog.models import ArchivalCodeRule, MetadataField, RetentionPeriod

    Category.objects.filter(code="WS").update(name="文书档案")

    def counts():
        return (
            MetadataField.objects.count(),
            ArchivalCodeRule.objects.count(),
            RetentionPeriod.objects.count(),
        )

    before = counts()
    seeds.apply(apps)
    after = counts()
    assert before == after
    assert Category.objects.get(code="WS").name == "文书档案"
    assert RetentionPeriod.objects.get(code="永久").is_legacy
    assert ArchivalCodeRule.objects.filter(fonds__isnull=True).count() == 3 * len(seeds.CATEGORIES)
