"""The catalogue API: the same operations and refusals as the services, as JSON envelopes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lantai.accounts import services as accounts
from lantai.audit.models import AuditEvent
from lantai.catalog import seeds
from lantai.catalog.models import Item

from .conftest import WS_VALUES

BASE = "/api/v1/catalogue"


@pytest.fixture
def api(logged_in, archivist, agency):
    return logged_in(archivist)


def post(client, path, body, **extra):
    return client.post(BASE + path, json.dumps(body), content_type="application/json", **extra)


def patch(client, path, body):
    return client.patch(BASE + path, json.dumps(body), content_type="application/json")


def test_fonds_create_list_get(api, agency):
    response = post(
        api, "/fonds", {"code": "Z109", "name": "测试全宗", "institution": agency.code, "history": "沿革"}
    )
    assert response.status_code == 201, response.content
    fonds = response.json()
    assert fonds["code"] == "Z109" and fonds["institution"] == agency.code
    assert [f["code"] for f in api.get(BASE + "/fonds").json()] == ["Z109"]
    assert api.get(f"{BASE}/fonds/{fonds['id']}").json()["name"] == "测试全宗"
    assert api.get(f"{BASE}/fonds/Z109").json()["id"] == fonds["id"]
    again = post(api, "/fonds", {"code": "Z109", "name": "重复", "institution": agency.code})
    assert again.status_code == 409 and again.json()["code"] == "catalog.fonds_code_taken"
    changed = patch(api, "/fonds/Z109", {"name": "新名称"})
    assert changed.status_code == 200 and changed.json()["name"] == "新名称"


def test_categories_and_schemes(api):
    categories = api.get(BASE + "/categories").json()
    assert {c["code"] for c in categories} >= {"WS", "ZP", "LY", "LX", "KU"}
    scheme = api.get(BASE + "/categories/LY/scheme").json()
    assert scheme["version"] == 1
    names = {f["code"]: f["name"] for f in scheme["fields"]}
    assert names["speaker"] == "发音人" and names["duration"] == "时长"
    assert api.get(BASE + "/categories/XX/scheme").status_code == 404
    periods = {r["code"]: r["is_legacy"] for r in api.get(BASE + "/retention-periods").json()}
    assert periods == {"Y": False, "D30": False, "D10": False, "永久": True, "长期": True, "短期": True}


def test_item_lifecycle(api, fonds):
    created = post(api, "/items", {"fonds": "Z109", "category": "WS", "values": WS_VALUES})
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["archival_code"] == "Z109-WS·2011-Y-BGS-0001"
    assert item["open_status_name"] == "开放" and item["date"] == "2011-03-05"
    got = api.get(f"{BASE}/items/{item['id']}").json()
    assert got == item
    changed = patch(api, f"/items/{item['id']}", {"values": {"title": "改后题名", "doc_type": "通知"}})
    assert changed.status_code == 200
    assert changed.json()["title"] == "改后题名" and changed.json()["extra"] == {"doc_type": "通知"}
    refused = api.delete(f"{BASE}/items/{item['id']}")
    assert refused.status_code == 422
    gone = api.delete(f"{BASE}/items/{item['id']}?reason=重复著录")
    assert gone.status_code == 204
    assert api.get(f"{BASE}/items/{item['id']}").json()["code"] == "not_found"


def test_invalid_item_is_422_with_field_details_in_chinese(api, fonds):
    response = post(
        api, "/items", {"fonds": "Z109", "category": "WS", "values": {**WS_VALUES, "date": "2011-02-30"}}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "catalog.metadata_invalid"
    [detail] = body["details"]
    assert detail["field"] == "date" and detail["label"] == "日期" and detail["rule"] == "date"
    assert "日期" in detail["message"] and "2011-02-30" in detail["message"]
    assert Item.objects.count() == 0
    english = post(
        api,
        "/items",
        {"fonds": "Z109", "category": "WS", "values": {**WS_VALUES, "date": "x"}},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "not a valid date" in english.json()["details"][0]["message"]


def test_list_with_filters_and_cursor(api, make_item):
    for n in range(5):
        make_item(
            title=f"文件{n}", year="2012" if n % 2 else "2011", date="20120101" if n % 2 else "20110101"
        )
    first = api.get(BASE + "/items?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    codes_seen = [i["archival_code"] for i in first["items"]]
    after = first["next_cursor"]
    while after:
        page = api.get(BASE + "/items", {"limit": 2, "after": after}).json()
        codes_seen += [i["archival_code"] for i in page["items"]]
        after = page["next_cursor"]
    assert codes_seen == sorted(codes_seen) and len(codes_seen) == 5
    only_2012 = api.get(BASE + "/items", {"year": 2012}).json()["items"]
    assert {i["year"] for i in only_2012} == {2012} and len(only_2012) == 2
    by_title = api.get(BASE + "/items", {"sort": "title", "q": "文件3"}).json()["items"]
    assert [i["title"] for i in by_title] == ["文件3"]


def test_move_item(api, make_item):
    make_item(title="甲")
    b = make_item(title="乙")
    moved = post(api, f"/items/{b.public_id}/move", {"position": 1, "reason": "调整"})
    assert moved.status_code == 200, moved.content
    assert [(i["title"], i["number"]) for i in moved.json()] == [("乙", 1), ("甲", 2)]


def test_reader_sees_only_open_items_and_cannot_write(logged_in, reader, agency, make_item):
    open_item = make_item(title="开放")
    closed = make_item(title="控制", open_status="控制")
    client = logged_in(reader)
    listed = client.get(BASE + "/items").json()["items"]
    assert [i["title"] for i in listed] == ["开放"]
    assert client.get(f"{BASE}/items/{closed.public_id}").status_code == 404
    assert client.get(f"{BASE}/items/{open_item.public_id}").status_code == 200
    refused = post(client, "/items", {"fonds": "Z109", "category": "WS", "values": WS_VALUES})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_sysadmin_cannot_list_items(logged_in, sysadmin, make_item):
    make_item()
    response = logged_in(sysadmin).get(BASE + "/items")
    assert response.status_code == 403


def test_api_key_with_catalog_view_reads(db, system, agency, make_item):
    make_item(title="开放")
    make_item(title="内部", security_level="内部")
    make_item(title="秘密", security_level="秘密")
    _key, token = accounts.create_api_key(
        system, institution=agency, name="业务系统", scopes=["catalog.view"]
    )
    client = Client()
    listed = client.get(BASE + "/items", HTTP_AUTHORIZATION=f"Bearer {token}").json()["items"]
    assert sorted(i["title"] for i in listed) == ["内部", "开放"]  # keys have clearance 内部
    refused = client.post(
        BASE + "/items",
        json.dumps({"fonds": "Z109", "category": "WS", "values": WS_VALUES}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert refused.status_code == 403


def test_session_writes_need_csrf(archivist, agency, fonds):
    client = Client(enforce_csrf_checks=True)
    client.force_login(archivist)
    response = post(client, "/items", {"fonds": "Z109", "category": "WS", "values": WS_VALUES})
    assert response.status_code == 403 and response.json()["code"] == "auth.csrf_failed"


def test_volumes(api, fonds):
    created = post(
        api,
        "/volumes",
        {
            "fonds": "Z109",
            "category": "KU",
            "values": {"year": 2017, "retention": "D30", "title": "凭证", "open_status": "控制"},
        },
    )
    assert created.status_code == 201, created.content
    volume = created.json()
    assert volume["archival_code"] == "Z109-KU·2017·D30-001"
    item = post(
        api,
        "/items",
        {
            "fonds": "Z109",
            "category": "KU",
            "volume": volume["id"],
            "values": {
                "title": "凭证1",
                "responsible_party": "财务",
                "date": "20170101",
                "open_status": "控制",
            },
        },
    )
    assert item.status_code == 201 and item.json()["archival_code"] == "Z109-KU·2017·D30-001-001"
    assert api.get(f"{BASE}/volumes/{volume['id']}").json()["item_count"] == 1
    assert [v["archival_code"] for v in api.get(BASE + "/volumes", {"fonds": "Z109"}).json()] == [
        "Z109-KU·2017·D30-001"
    ]


def test_code_rules_list_save_and_preview(api, fonds):
    rules = api.get(BASE + "/code-rules").json()
    ws_item = next(r for r in rules if r["category"] == "WS" and r["level"] == "item" and r["fonds"] is None)
    assert ws_item["example"] == "Z109-WS·2011-Y-BGS-0001"
    preview = post(
        api, "/code-rules/preview", {"components": seeds.DAT13_ITEM, "values": {"org_code": "办公室"}}
    )
    assert preview.json() == {
        "valid": True,
        "code": "Z109-WS·2011·Y·办公室-0001",
        "class_key": "Z109-WS·2011·Y·办公室-#",
        "error": None,
    }
    bad = post(api, "/code-rules/preview", {"components": [{"kind": "fonds_code"}]}).json()
    assert not bad["valid"] and bad["error"]["code"] == "catalog.code_rule_invalid"
    saved = post(api, "/code-rules", {"category": "WS", "fonds": "Z109", "components": seeds.DAT13_ITEM})
    assert saved.status_code == 201 and saved.json()["fonds"] == "Z109"
    assert AuditEvent.objects.filter(action="catalog.code_rule.save").count() == 1
    invalid = post(api, "/code-rules", {"category": "WS", "components": [{"kind": "year"}]})
    assert invalid.status_code == 422 and invalid.json()["code"] == "catalog.code_rule_invalid"
