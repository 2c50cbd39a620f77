"""Catalogue pages: Chinese by default, scheme-driven forms with inline errors, nothing
written on bad input, hidden records and pages look absent."""

from __future__ import annotations

import pytest

from lantai.audit.models import AuditEvent
from lantai.catalog import forms, seeds
from lantai.catalog.models import ArchivalCodeRule, Category, Fonds, Item, MetadataField

from .conftest import WS_VALUES


@pytest.fixture
def staff(logged_in, archivist, agency):
    return logged_in(archivist)


def form_data(values):
    return {f"f_{k}": v for k, v in values.items()}


def test_item_list_shows_tree_filters_and_items(staff, make_item):
    make_item(title="关于档案工作的通知")
    make_item(title="二〇一二年报告", year="2012", date="20120101")
    page = staff.get("/catalogue/items/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "著录" in html or "档案目录" in html
    assert "Z109-WS·2011-Y-BGS-0001" in html and "关于档案工作的通知" in html
    assert 'class="sidebar catalog-tree"' in html and ">2012</a>" in html
    filtered = staff.get("/catalogue/items/", {"year": "2012"}).content.decode()
    assert "二〇一二年报告" in filtered and "关于档案工作的通知" not in filtered


def test_item_list_paginates_with_a_cursor(staff, make_item):
    for n in range(52):
        make_item(title=f"文件{n:02d}")
    first = staff.get("/catalogue/items/")
    html = first.content.decode()
    assert "Z109-WS·2011-Y-BGS-0050" in html and "Z109-WS·2011-Y-BGS-0051" not in html
    next_url = first.context["next_url"]
    assert next_url and "after=" in next_url
    second = staff.get("/catalogue/items/" + next_url).content.decode()
    assert "Z109-WS·2011-Y-BGS-0051" in second and "Z109-WS·2011-Y-BGS-0050" not in second


def test_new_item_form_is_generated_from_the_scheme(staff, fonds):
    page = staff.get("/catalogue/items/new/", {"fonds": "Z109", "category": "LY"})
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("题名", "发音人", "方言区", "录制地点", "时长", "转写文本"):
        assert label in html


def test_new_item_saves_and_allocates(staff, fonds):
    response = staff.post(
        "/catalogue/items/new/", {"fonds": "Z109", "category": "WS", "action": "save", **form_data(WS_VALUES)}
    )
    assert response.status_code == 302
    item = Item.objects.get()
    assert item.archival_code == "Z109-WS·2011-Y-BGS-0001"
    assert response["Location"] == f"/catalogue/items/{item.public_id}/"
    detail = staff.get(response["Location"]).content.decode()
    assert "Z109-WS·2011-Y-BGS-0001" in detail and "开放" in detail


def test_new_item_errors_are_inline_in_chinese_and_nothing_is_written(staff, fonds):
    bad = {**WS_VALUES, "date": "20110231", "title": ""}
    response = staff.post(
        "/catalogue/items/new/", {"fonds": "Z109", "category": "WS", "action": "save", **form_data(bad)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="e_date"' in html and "不是有效日期" in html
    assert 'id="e_title"' in html and "题名为必填项" in html
    assert 'value="20110231"' in html  # the user's input is kept
    assert Item.objects.count() == 0


def test_preview_shows_the_next_code_without_allocating(staff, make_item):
    make_item()
    response = staff.post(
        "/catalogue/items/new/",
        {"fonds": "Z109", "category": "WS", "action": "preview", **form_data(WS_VALUES)},
    )
    assert "Z109-WS·2011-Y-BGS-0002" in response.content.decode()
    assert Item.objects.count() == 1
    assert make_item().archival_code == "Z109-WS·2011-Y-BGS-0002"


def test_edit_item(staff, make_item):
    item = make_item()
    page = staff.get(f"/catalogue/items/{item.public_id}/edit/")
    assert page.status_code == 200 and "文种" in page.content.decode()
    values = {
        **WS_VALUES,
        "title": "修改后的题名",
        "doc_type": "通知",
        "archival_code": item.archival_code,
        "number": "1",
    }
    response = staff.post(f"/catalogue/items/{item.public_id}/edit/", form_data(values))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "修改后的题名" and item.extra == {"doc_type": "通知"}
    bad = staff.post(f"/catalogue/items/{item.public_id}/edit/", form_data({**values, "page_count": "三"}))
    assert bad.status_code == 200 and "不是整数" in bad.content.decode()
    item.refresh_from_db()
    assert item.page_count == 3


def test_withdraw_and_move_from_the_detail_page(staff, make_item):
    a, b = make_item(title="甲"), make_item(title="乙")
    staff.post(f"/catalogue/items/{b.public_id}/", {"action": "move", "position": "1"})
    b.refresh_from_db()
    assert b.number == 1
    staff.post(f"/catalogue/items/{a.public_id}/", {"action": "delete", "reason": "重复"})
    a.refresh_from_db()
    assert a.deleted_at is not None
    assert staff.get(f"/catalogue/items/{a.public_id}/").status_code == 404


def test_reader_cannot_see_controlled_items_or_edit(logged_in, reader, agency, make_item):
    closed = make_item(open_status="控制")
    client = logged_in(reader)
    assert client.get(f"/catalogue/items/{closed.public_id}/").status_code == 404
    assert client.get("/catalogue/items/new/").status_code == 404
    assert client.get("/catalogue/items/not-a-uuid/").status_code == 404


def test_sysadmin_configures_but_cannot_read_items(logged_in, sysadmin, agency, make_item):
    client = logged_in(sysadmin)
    assert client.get("/catalogue/items/").status_code == 404
    assert client.get("/catalogue/fonds/").status_code == 200
    assert client.get("/catalogue/categories/WS/").status_code == 200


def test_create_fonds_page(logged_in, sysadmin, agency):
    client = logged_in(sysadmin)
    response = client.post(
        "/catalogue/fonds/",
        {"code": "Z200", "name": "新全宗", "institution": str(agency.public_id), "history": "沿革"},
    )
    assert response.status_code == 302
    fonds = Fonds.objects.get(code="Z200")
    assert fonds.history == "沿革"
    again = client.post(
        "/catalogue/fonds/", {"code": "Z200", "name": "重复", "institution": str(agency.public_id)}
    )
    assert "全宗号已存在" in again.content.decode()
    edit = client.post(f"/catalogue/fonds/{fonds.public_id}/", {"name": "改名", "is_active": "on"})
    assert edit.status_code == 302
    fonds.refresh_from_db()
    assert fonds.name == "改名"


def test_scheme_editor_adds_and_edits_fields(staff):
    page = staff.get("/catalogue/categories/WS/")
    assert page.status_code == 200 and "M33" in page.content.decode()
    response = staff.post(
        "/catalogue/categories/WS/",
        {
            "action": "add_field",
            "code": "carrier",
            "name": "载体形态",
            "data_type": "choice",
            "choices": "纸质\n电子",
        },
    )
    assert response.status_code == 302
    field = MetadataField.objects.get(scheme__category__code="WS", scheme__is_current=True, code="carrier")
    assert field.choices == ["纸质", "电子"]
    bad = staff.post(
        "/catalogue/categories/WS/", {"action": "add_field", "code": "x", "name": "坏", "pattern": "(["}
    )
    assert "不是有效的正则表达式" in bad.content.decode()
    staff.post(
        "/catalogue/categories/WS/",
        {"action": "update_field", "code": "title", "name": "题名", "max_length": "500", "required": "on"},
    )
    assert (
        MetadataField.objects.get(
            scheme__category__code="WS", scheme__is_current=True, code="title"
        ).max_length
        == 500
    )
    staff.post("/catalogue/categories/WS/", {"action": "new_version", "note": "2026 修订"})
    assert Category.objects.get(code="WS").schemes.count() == 2
    edit_form = staff.get("/catalogue/categories/WS/?field=carrier").content.decode()
    assert "纸质\n电子" in edit_form


def test_code_rule_editor_previews_and_saves(staff, fonds):
    page = staff.get("/catalogue/code-rules/edit/", {"category": "WS", "level": "item", "fonds": "Z109"})
    html = page.content.decode()
    assert page.status_code == 200 and "Z109-WS·2011-Y-BGS-0001" in html
    text = forms.format_components(seeds.DAT13_ITEM)
    assert text.splitlines()[-3:] == ["org_code?", "sep -", "number 4"]
    preview = staff.post(
        "/catalogue/code-rules/edit/",
        {
            "category": "WS",
            "level": "item",
            "fonds": "Z109",
            "components": text,
            "s_org_code": "办公室",
            "action": "preview",
        },
    )
    assert "Z109-WS·2011·Y·办公室-0001" in preview.content.decode()
    assert not ArchivalCodeRule.objects.filter(fonds=fonds).exists()
    saved = staff.post(
        "/catalogue/code-rules/edit/",
        {
            "category": "WS",
            "level": "item",
            "fonds": "Z109",
            "components": text,
            "action": "save",
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    rule = ArchivalCodeRule.objects.get(fonds=fonds, category__code="WS", level="item")
    assert rule.components[-1] == {"kind": "number", "width": 4}
    assert AuditEvent.objects.filter(action="catalog.code_rule.save").exists()
    bad = staff.post(
        "/catalogue/code-rules/edit/",
        {
            "category": "WS",
            "level": "item",
            "fonds": "Z109",
            "components": "fonds_code\nyear",
            "action": "save",
        },
    )
    assert bad.status_code == 200 and "分隔符" in bad.content.decode()


def test_renumber_page(staff, make_item):
    a, b, c = make_item(title="甲"), make_item(title="乙"), make_item(title="丙")
    query = {"fonds": "Z109", "category": "WS", "year": "2011", "retention": "Y", "org_code": "BGS"}
    page = staff.get("/catalogue/renumber/", query)
    assert "甲" in page.content.decode() and "丙" in page.content.decode()
    staff.post(
        "/catalogue/renumber/",
        {
            **query,
            f"pos_{a.public_id}": "3",
            f"pos_{b.public_id}": "1",
            f"pos_{c.public_id}": "2",
            "reason": "按时间",
        },
    )
    got = {i.title: i.archival_code for i in Item.objects.all()}
    assert got == {
        "乙": "Z109-WS·2011-Y-BGS-0001",
        "丙": "Z109-WS·2011-Y-BGS-0002",
        "甲": "Z109-WS·2011-Y-BGS-0003",
    }


def test_module_bar_lists_the_catalogue_pages(staff):
    html = staff.get("/m/arrange/").content.decode()
    assert "/catalogue/items/" in html


def test_volume_pages_create_and_add_items(staff, fonds):
    response = staff.post(
        "/catalogue/volumes/",
        {
            "fonds": "Z109",
            "category": "KU",
            "f_year": "2017",
            "f_retention": "D30",
            "f_title": "2017年会计凭证",
            "f_open_status": "controlled",
        },
    )
    assert response.status_code == 302, response.content.decode()[-500:]
    detail = staff.get(response["Location"])
    assert "Z109-KU·2017·D30-001" in detail.content.decode()
    volume_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    form = staff.get("/catalogue/items/new/", {"volume": volume_id}).content.decode()
    assert 'name="volume"' in form
    added = staff.post(
        "/catalogue/items/new/",
        {
            "volume": volume_id,
            "action": "save",
            "f_title": "凭证一",
            "f_responsible_party": "财务科",
            "f_date": "20170105",
            "f_open_status": "controlled",
            "f_year": "2017",
            "f_retention": "D30",
        },
    )
    assert added.status_code == 302
    assert Item.objects.get().archival_code == "Z109-KU·2017·D30-001-001"
    assert "凭证一" in staff.get(f"/catalogue/volumes/{volume_id}/").content.decode()
    bad = staff.post(
        "/catalogue/volumes/", {"fonds": "Z109", "category": "KU", "f_year": "17", "f_title": ""}
    )
    assert bad.status_code == 200 and 'id="e_year"' in bad.content.decode()
