"""档号 rules: both standard forms render, parse and validate; numbers are allocated gaplessly."""

from __future__ import annotations

import pytest

from lantai.catalog import codes, seeds
from lantai.catalog.errors import (
    ArchivalCodeIncomplete,
    ArchivalCodeInvalid,
    CodeRuleInvalid,
    DuplicateArchivalCode,
    NoCodeRule,
)
from lantai.catalog.models import ArchivalCodeCounter, ArchivalCodeRule, Category, Fonds

WS_2011 = {"fonds_code": "Z109", "category_code": "WS", "year": 2011, "retention_code": "Y"}


def test_dat22_form_renders_the_standard_example():
    assert (
        codes.render(seeds.DAT22_ITEM, {**WS_2011, "org_code": "BGS", "number": 1})
        == "Z109-WS·2011-Y-BGS-0001"
    )


def test_dat22_form_omits_an_empty_org_code_with_its_separator():
    assert codes.render(seeds.DAT22_ITEM, {**WS_2011, "org_code": "", "number": 26}) == "Z109-WS·2011-Y-0026"


def test_dat13_form_renders_the_standard_examples():
    assert (
        codes.render(seeds.DAT13_ITEM, {**WS_2011, "org_code": "办公室", "number": 1})
        == "Z109-WS·2011·Y·办公室-0001"
    )
    photo = {"fonds_code": "K021", "category_code": "ZP", "year": 2019, "retention": "D30", "number": 5}
    assert codes.render(seeds.DAT13_ITEM, photo) == "K021-ZP·2019·D30-0005"


def test_volume_forms():
    values = {
        "fonds_code": "J019",
        "category_code": "KU",
        "year": 2017,
        "retention_code": "Y",
        "volume_number": 1,
    }
    assert codes.render(seeds.DAT13_VOLUME, values) == "J019-KU·2017·Y-001"
    assert codes.render(seeds.DAT13_VOLUME_ITEM, {**values, "number": 12}) == "J019-KU·2017·Y-001-012"
    assert codes.class_key(seeds.DAT13_VOLUME, values) == "J019-KU·2017·Y-#"
    assert codes.class_key(seeds.DAT13_VOLUME_ITEM, values) == "J019-KU·2017·Y-001-#"


@pytest.mark.parametrize(
    ("components", "code", "expected"),
    [
        (
            seeds.DAT22_ITEM,
            "Z109-WS·2011-Y-BGS-0001",
            {"org_code": "BGS", "number": 1, "retention_code": "Y"},
        ),
        (seeds.DAT22_ITEM, "Z109-WS·2011-D30-0026", {"org_code": "", "number": 26, "retention_code": "D30"}),
        (seeds.DAT13_ITEM, "Z109-WS·2011·Y·办公室-0001", {"org_code": "办公室", "number": 1, "year": 2011}),
        (seeds.DAT13_ITEM, "Z008-WS·2019·Y-0037", {"org_code": "", "number": 37, "fonds_code": "Z008"}),
        (seeds.DAT13_ITEM, "A439-WS·2015·D30·003-0005", {"org_code": "003", "number": 5}),
        (seeds.DAT13_ITEM, "Z109-WS·2011·Y-12345", {"number": 12345}),  # more than the width is fine
    ],
)
def test_parse_recovers_the_components(components, code, expected):
    parsed = codes.parse(components, code)
    for key, value in expected.items():
        assert parsed[key] == value
    assert codes.render(components, parsed) == code


@pytest.mark.parametrize(
    ("components", "code"),
    [
        (seeds.DAT22_ITEM, "Z109-WS·2011·Y·BGS-0001"),  # the DA/T 13 form under the DA/T 22 rule
        (seeds.DAT13_ITEM, "Z109-WS·2011-Y-BGS-0001"),  # and the other way round
        (seeds.DAT22_ITEM, "Z109-WS·2011-Y-BGS-001"),  # number narrower than its width
        (seeds.DAT22_ITEM, "Z109-WS·11-Y-BGS-0001"),  # two-digit year
        (seeds.DAT22_ITEM, "Z109-WS·2011-Y-BGS-0000"),  # numbers start at 1
        (seeds.DAT22_ITEM, ""),
        (seeds.DAT22_ITEM, "Z109-WS·2011-Y-B GS-0001"),
    ],
)
def test_parse_refuses_codes_that_break_the_rule(components, code):
    with pytest.raises(ArchivalCodeInvalid) as info:
        codes.parse(components, code)
    assert info.value.code == "catalog.archival_code_invalid"


def test_render_refuses_missing_values_and_separators_inside_values():
    with pytest.raises(ArchivalCodeIncomplete):
        codes.render(seeds.DAT22_ITEM, {**WS_2011, "number": None})
    with pytest.raises(ArchivalCodeIncomplete):
        codes.render(
            seeds.DAT22_ITEM,
            {"fonds_code": "Z109", "category_code": "WS", "retention_code": "Y", "number": 1},
        )
    with pytest.raises(ArchivalCodeIncomplete):
        codes.render(seeds.DAT22_ITEM, {**WS_2011, "org_code": "B-G", "number": 1})
    with pytest.raises(ArchivalCodeIncomplete):
        codes.render(seeds.DAT13_ITEM, {**WS_2011, "org_code": "办·公", "number": 1})


@pytest.mark.parametrize(
    "components",
    [
        [],
        [{"kind": "fonds_code"}, {"kind": "number", "width": 4}],  # no separator between values
        [{"kind": "fonds_code"}, {"kind": "sep", "value": "-"}, {"kind": "year"}],  # no counter
        [{"kind": "fonds_code"}, {"kind": "sep", "value": "A"}, {"kind": "number", "width": 4}],
        [{"kind": "fonds_code"}, {"kind": "sep", "value": "-"}, {"kind": "number", "width": 0}],
        [{"kind": "bogus"}, {"kind": "sep", "value": "-"}, {"kind": "number", "width": 4}],
        [{"kind": "number"}, {"kind": "sep", "value": "-"}, {"kind": "number", "width": 4}],
    ],
)
def test_invalid_rules_are_refused(components):
    with pytest.raises(CodeRuleInvalid):
        codes.validate_components(components)


def test_seeded_rules_are_valid_and_give_examples():
    for _name, components in seeds.PRESETS.values():
        codes.validate_components(components)
    assert codes.example(seeds.DAT22_ITEM) == "Z109-WS·2011-Y-BGS-0001"


@pytest.fixture
def fonds(db, agency) -> Fonds:
    return Fonds.objects.create(code="Z109", name="测试全宗", institution=agency)


def test_rule_for_prefers_the_fonds_rule(fonds):
    ws = Category.objects.get(code="WS")
    default = codes.rule_for(fonds, ws)
    assert default.fonds_id is None and default.components == seeds.DAT22_ITEM
    own = ArchivalCodeRule.objects.create(
        name="本全宗", fonds=fonds, category=ws, components=seeds.DAT13_ITEM
    )
    assert codes.rule_for(fonds, ws) == own
    own.is_active = False
    own.save()
    assert codes.rule_for(fonds, ws) == default
    ArchivalCodeRule.objects.filter(category=ws, level="volume").delete()
    with pytest.raises(NoCodeRule):
        codes.rule_for(fonds, ws, "volume")


def test_allocate_is_gapless_per_class(fonds):
    rule = codes.rule_for(fonds, Category.objects.get(code="WS"))
    bgs = {**WS_2011, "org_code": "BGS"}
    assert codes.allocate(rule, bgs) == [1]
    assert codes.allocate(rule, bgs, 3) == [2, 3, 4]
    assert codes.allocate(rule, {**bgs, "org_code": "CWK"}, 2) == [1, 2]
    assert codes.allocate(rule, {**bgs, "retention_code": "D30"}) == [1]
    assert codes.allocate(rule, bgs, 0) == []
    assert ArchivalCodeCounter.objects.get(rule=rule, scope_key="Z109-WS·2011-Y-BGS-#").last_number == 4


def test_reserve_advances_the_counter_and_refuses_taken_codes(fonds):
    from lantai.catalog.models import Item, RetentionPeriod

    ws = Category.objects.get(code="WS")
    rule = codes.rule_for(fonds, ws)
    codes.reserve(rule, WS_2011, 7)
    assert codes.allocate(rule, WS_2011) == [8]
    codes.reserve(rule, WS_2011, 3)  # below the counter: allowed while the code is free
    assert codes.allocate(rule, WS_2011) == [9]
    Item.objects.create(
        fonds=fonds,
        category=ws,
        retention=RetentionPeriod.objects.get(code="Y"),
        title="t",
        archival_code="Z109-WS·2011-Y-0003",
    )
    with pytest.raises(DuplicateArchivalCode) as info:
        codes.reserve(rule, WS_2011, 3)
    assert info.value.code == "catalog.duplicate_archival_code"
