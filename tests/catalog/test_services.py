"""Catalogue writes: permission, validation first, one transaction, one audit event with
before/after, the item-change hook, and gapless 档号 allocation."""

from __future__ import annotations

import pytest

from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution
from lantai.audit.models import AuditEvent
from lantai.catalog import codes, hooks, seeds, services
from lantai.catalog.errors import (
    DuplicateArchivalCode,
    FondsCodeTaken,
    MetadataInvalid,
    RenumberInvalid,
    SchemeInvalid,
)
from lantai.catalog.models import ArchivalCodeCounter, Category, Item, MetadataScheme
from lantai.core.errors import NotFound, PermissionDenied, ValidationFailed
from lantai.core.i18n import pinyin_key

from .conftest import WS_VALUES


@pytest.fixture
def changed():
    seen: list[list[int]] = []
    hooks.ITEM_LISTENERS.append(seen.append)
    yield seen
    hooks.ITEM_LISTENERS.remove(seen.append)


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_create_item_allocates_the_dat22_code_and_audits(archivist_actor, fonds, ws, changed):
    item = services.create_item(archivist_actor, fonds=fonds, category=ws, values=WS_VALUES)
    assert item.archival_code == "Z109-WS·2011-Y-BGS-0001"
    assert item.number == 1 and item.year == 2011 and item.retention_id == "Y"
    assert item.open_status == "open" and item.security_level == 0 and item.page_count == 3
    assert item.title_sort == pinyin_key(WS_VALUES["title"])
    assert item.scheme == MetadataScheme.objects.get(category=ws, is_current=True)
    second = services.create_item(
        archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "title": "二"}
    )
    assert second.archival_code == "Z109-WS·2011-Y-BGS-0002"
    [first_event, second_event] = events("catalog.item.create")
    assert first_event.object_id == str(item.public_id)
    assert first_event.after["archival_code"] == "Z109-WS·2011-Y-BGS-0001"
    assert first_event.actor_name == "archivist"
    assert second_event.after["title"] == "二"
    assert changed == [[item.pk], [second.pk]]


def test_extra_fields_are_stored_as_json(archivist_actor, fonds, ws):
    item = services.create_item(
        archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "doc_type": "通知", "urgency": ""}
    )
    assert item.extra == {"doc_type": "通知"}


def test_invalid_values_write_nothing(archivist_actor, fonds, ws, changed):
    with pytest.raises(MetadataInvalid) as info:
        services.create_item(
            archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "date": "20110231", "year": "11"}
        )
    assert info.value.code == "catalog.metadata_invalid"
    assert {(d["field"], d["rule"]) for d in info.value.details} == {("date", "date"), ("year", "year")}
    assert all(d["label"] in ("日期", "年度") for d in info.value.details)
    assert Item.objects.count() == 0
    assert not ArchivalCodeCounter.objects.exists()
    assert events("catalog.item.create") == [] and changed == []


def test_explicit_code_must_match_and_be_free(archivist_actor, fonds, ws):
    item = services.create_item(
        archivist_actor,
        fonds=fonds,
        category=ws,
        values={**WS_VALUES, "archival_code": "Z109-WS·2011-Y-BGS-0007"},
    )
    assert item.number == 7
    nxt = services.create_item(archivist_actor, fonds=fonds, category=ws, values=WS_VALUES)
    assert nxt.archival_code == "Z109-WS·2011-Y-BGS-0008"
    with pytest.raises(DuplicateArchivalCode):
        services.create_item(
            archivist_actor,
            fonds=fonds,
            category=ws,
            values={**WS_VALUES, "archival_code": "Z109-WS·2011-Y-BGS-0007"},
        )
    with pytest.raises(MetadataInvalid) as info:  # the code says D30, the row says Y
        services.create_item(
            archivist_actor,
            fonds=fonds,
            category=ws,
            values={**WS_VALUES, "archival_code": "Z109-WS·2011-D30-BGS-0009"},
        )
    assert info.value.details[0]["field"] == "archival_code"
    with pytest.raises(MetadataInvalid):  # the DA/T 13 form under the DA/T 22 rule
        services.create_item(
            archivist_actor,
            fonds=fonds,
            category=ws,
            values={**WS_VALUES, "archival_code": "Z109-WS·2011·Y·BGS-0009"},
        )
    with pytest.raises(DuplicateArchivalCode):
        services.create_item(archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "number": "8"})
    assert Item.objects.count() == 2


def test_no_code_when_allocation_is_off(archivist_actor, fonds, ws):
    item = services.create_item(
        archivist_actor, fonds=fonds, category=ws, values=WS_VALUES, allocate_code=False
    )
    assert item.archival_code == "" and item.number is None


def test_fonds_code_in_values_must_be_the_fonds(archivist_actor, fonds, ws):
    with pytest.raises(MetadataInvalid) as info:
        services.create_item(
            archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "fonds_code": "X001"}
        )
    assert info.value.details[0]["field"] == "fonds_code"


def test_reader_cannot_write_and_the_refusal_is_audited(reader_actor, fonds, ws):
    with pytest.raises(PermissionDenied):
        services.create_item(reader_actor, fonds=fonds, category=ws, values=WS_VALUES)
    [event] = events("catalog.item.create")
    assert event.outcome == AuditEvent.Outcome.FAILURE
    assert Item.objects.count() == 0


def test_fonds_outside_the_scope_looks_absent(make_user, system, ws):
    other = services_institution(system, "OTH")
    foreign = services.create_fonds(system, code="W001", name="他馆全宗", institution=other)
    actor = Actor.for_user(make_user("a2", "archivist"))
    with pytest.raises(NotFound):
        services.create_item(actor, fonds=foreign, category=ws, values=WS_VALUES)


def services_institution(system, code):
    from lantai.accounts import services as accounts

    return accounts.create_institution(system, code=code, name="其他档案馆", kind=Institution.Kind.ARCHIVE)


def test_items_above_the_clearance_are_refused(make_user, fonds, ws):
    actor = Actor.for_user(make_user("low", "archivist", clearance=1))
    with pytest.raises(MetadataInvalid) as info:
        services.create_item(actor, fonds=fonds, category=ws, values={**WS_VALUES, "security_level": "秘密"})
    assert info.value.details[0]["field"] == "security_level"


def test_update_item_records_before_and_after(archivist_actor, make_item, changed):
    item = make_item()
    changed.clear()
    updated = services.update_item(archivist_actor, item, {"title": "新题名", "doc_type": "通知"})
    assert updated.title == "新题名" and updated.title_sort == pinyin_key("新题名")
    assert updated.archival_code == item.archival_code
    [event] = events("catalog.item.update")
    assert event.before == {"title": WS_VALUES["title"], "extra": {}}
    assert event.after == {"title": "新题名", "extra": {"doc_type": "通知"}}
    assert changed == [[item.pk]]


def test_update_with_invalid_value_changes_nothing(archivist_actor, make_item):
    item = make_item()
    with pytest.raises(MetadataInvalid):
        services.update_item(archivist_actor, item, {"title": "改了", "date": "不是日期"})
    item.refresh_from_db()
    assert item.title == WS_VALUES["title"]
    assert events("catalog.item.update") == []


def test_changing_the_class_gives_a_new_code(archivist_actor, make_item):
    make_item()
    item = make_item()
    assert item.archival_code.endswith("-0002")
    updated = services.update_item(archivist_actor, item, {"retention": "D30"})
    assert updated.archival_code == "Z109-WS·2011-D30-BGS-0001"
    updated = services.update_item(archivist_actor, updated, {"org_code": ""})
    assert updated.archival_code == "Z109-WS·2011-D30-0001"


def test_delete_needs_a_reason_and_is_soft(archivist_actor, make_item, changed):
    item = make_item()
    with pytest.raises(ValidationFailed):
        services.delete_item(archivist_actor, item, "  ")
    services.delete_item(archivist_actor, item, "重复著录")
    item.refresh_from_db()
    assert item.deleted_at is not None
    [event] = events("catalog.item.delete")
    assert event.message == "重复著录"
    with pytest.raises(NotFound):
        services.delete_item(archivist_actor, item, "again")


def test_renumber_closes_gaps_in_the_given_order(archivist_actor, make_item):
    a, b, c = make_item(title="甲"), make_item(title="乙"), make_item(title="丙")
    services.delete_item(archivist_actor, b, "撤出")
    changed_items = services.renumber(archivist_actor, [c, a], reason="调整顺序")
    assert [i.archival_code for i in changed_items] == ["Z109-WS·2011-Y-BGS-0001", "Z109-WS·2011-Y-BGS-0002"]
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (c.number, a.number) == (1, 2)
    assert b.archival_code == "" and b.extra["withdrawn_archival_code"] == "Z109-WS·2011-Y-BGS-0002"
    [event] = events("catalog.item.renumber")
    assert event.before == {
        str(a.public_id): "Z109-WS·2011-Y-BGS-0001",
        str(c.public_id): "Z109-WS·2011-Y-BGS-0003",
    }
    assert event.message == "调整顺序"
    assert make_item(title="丁").archival_code == "Z109-WS·2011-Y-BGS-0003"


def test_renumber_needs_the_whole_class(archivist_actor, make_item):
    a, _b = make_item(), make_item()
    with pytest.raises(RenumberInvalid):
        services.renumber(archivist_actor, [a])
    with pytest.raises(RenumberInvalid):
        services.renumber(archivist_actor, [a, a, _b])


def test_insert_at_moves_an_item_and_shifts_the_rest(archivist_actor, make_item):
    a, _b, c = make_item(title="甲"), make_item(title="乙"), make_item(title="丙")
    services.insert_at(archivist_actor, c, 1)
    got = {i.title: i.number for i in Item.objects.all()}
    assert got == {"丙": 1, "甲": 2, "乙": 3}
    with pytest.raises(RenumberInvalid):
        services.insert_at(archivist_actor, a, 9)


def test_volume_and_items_in_it(archivist_actor, fonds):
    ku = Category.objects.get(code="KU")
    volume = services.create_volume(
        archivist_actor,
        fonds=fonds,
        category=ku,
        values={"year": "2017", "retention": "Y", "title": "2017年会计凭证", "open_status": "控制"},
    )
    assert volume.archival_code == "Z109-KU·2017·Y-001" and volume.number == 1
    item = services.create_item(
        archivist_actor,
        fonds=fonds,
        category=ku,
        volume=volume,
        values={"title": "凭证一", "responsible_party": "财务科", "date": "20170105", "open_status": "控制"},
    )
    assert item.archival_code == "Z109-KU·2017·Y-001-001" and item.volume == volume
    with pytest.raises(MetadataInvalid):
        services.create_volume(
            archivist_actor,
            fonds=fonds,
            category=ku,
            values={
                "year": "2017",
                "retention": "Y",
                "title": "x",
                "open_status": "开放",
                "date_start": "20170301",
                "date_end": "20170101",
            },
        )


def test_fonds_rule_in_dat13_form(archivist_actor, fonds, ws):
    services.save_code_rule(
        archivist_actor, category=ws, level="item", components=seeds.DAT13_ITEM, fonds=fonds
    )
    item = services.create_item(
        archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "org_code": "办公室"}
    )
    assert item.archival_code == "Z109-WS·2011·Y·办公室-0001"
    assert codes.rule_for(fonds, ws).fonds == fonds


def test_create_fonds_checks(sysadmin_actor, reader_actor, agency):
    fonds = services.create_fonds(
        sysadmin_actor, code="q001", name="全宗", institution=agency, history="沿革"
    )
    assert fonds.code == "Q001"
    with pytest.raises(FondsCodeTaken):
        services.create_fonds(sysadmin_actor, code="Q001", name="重复", institution=agency)
    with pytest.raises(ValidationFailed):
        services.create_fonds(sysadmin_actor, code="Q-1", name="坏", institution=agency)
    with pytest.raises(PermissionDenied):
        services.create_fonds(reader_actor, code="Q002", name="无权", institution=agency)
    updated = services.update_fonds(sysadmin_actor, fonds, name="新名称")
    assert updated.name == "新名称"
    [event] = events("catalog.fonds.update")
    assert event.before == {"name": "全宗"} and event.after == {"name": "新名称"}


def test_scheme_versions_and_fields(archivist_actor, ws, fonds):
    old = MetadataScheme.objects.get(category=ws, is_current=True)
    new = services.new_scheme_version(archivist_actor, ws, note="增加项目")
    assert new.version == old.version + 1 and new.is_current
    old.refresh_from_db()
    assert not old.is_current
    assert set(new.fields.values_list("code", flat=True)) == set(old.fields.values_list("code", flat=True))
    with pytest.raises(SchemeInvalid):
        services.add_field(archivist_actor, new, code="Bad Code", name="坏")
    with pytest.raises(SchemeInvalid):
        services.add_field(archivist_actor, new, code="carrier", name="载体", pattern="([")
    services.add_field(
        archivist_actor, new, code="carrier", name="载体形态", data_type="choice", choices=["纸质", "电子"]
    )
    with pytest.raises(MetadataInvalid) as info:
        services.create_item(
            archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "carrier": "竹简"}
        )
    assert info.value.details[0]["label"] == "载体形态" and info.value.details[0]["rule"] == "choice"
    item = services.create_item(
        archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "carrier": "纸质"}
    )
    assert item.extra["carrier"] == "纸质" and item.scheme == new
    title = new.fields.get(code="title")
    with pytest.raises(SchemeInvalid):
        services.update_field(archivist_actor, title, data_type="integer")
    with pytest.raises(SchemeInvalid):
        services.remove_field(archivist_actor, title)
    services.update_field(archivist_actor, title, max_length=10)
    with pytest.raises(MetadataInvalid):
        services.create_item(
            archivist_actor, fonds=fonds, category=ws, values={**WS_VALUES, "title": "长" * 11}
        )


def test_reader_cannot_configure(reader_actor, ws):
    with pytest.raises(PermissionDenied):
        services.new_scheme_version(reader_actor, ws)
    with pytest.raises(PermissionDenied):
        services.save_code_rule(reader_actor, category=ws, level="item", components=seeds.DAT13_ITEM)


def test_science_volumes_are_numbered_by_project(archivist_actor, fonds):
    kj = Category.objects.get(code="KJ")
    values = {
        "year": "2019",
        "retention": "Y",
        "title": "办公楼设计图",
        "open_status": "控制",
        "project_code": "01",
    }
    volume = services.create_volume(archivist_actor, fonds=fonds, category=kj, values=values)
    assert volume.archival_code == "Z109-KJ·01-001" and volume.project_code == "01"
    second = services.create_volume(
        archivist_actor, fonds=fonds, category=kj, values={**values, "project_code": "02"}
    )
    assert second.archival_code == "Z109-KJ·02-001"
    item = services.create_item(
        archivist_actor,
        fonds=fonds,
        category=kj,
        volume=volume,
        values={
            "title": "总平面图",
            "responsible_party": "设计院",
            "date": "20190301",
            "open_status": "控制",
        },
    )
    assert item.archival_code == "Z109-KJ·01-001-001"
    with pytest.raises(MetadataInvalid) as info:
        services.create_volume(
            archivist_actor, fonds=fonds, category=kj, values={**values, "project_code": ""}
        )
    assert info.value.details[0]["field"] == "archival_code" and "项目号" in info.value.details[0]["message"]
