"""Editing the catalogue and schemes: system.configure only, validated, audited; the API lists it."""

from __future__ import annotations

import pytest

from lantai.audit.models import AuditEvent
from lantai.checks import services
from lantai.checks.models import CheckItem, CheckScheme
from lantai.checks.runner import load_entries
from lantai.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_catalogue_page_filters_by_stage_and_dimension(logged_in, sysadmin):
    client = logged_in(sysadmin)
    html = client.get("/checks/catalogue/?stage=YJ&dimension=security").content.decode()
    assert "YJ-4-2" in html and "病毒检测" in html
    assert "GD-4-2" not in html and "YJ-1-7" not in html
    assert "检测项目" in html


def test_item_edit_changes_flags_and_is_audited(logged_in, sysadmin):
    client = logged_in(sysadmin)
    assert client.get("/checks/catalogue/GD-1-6/").status_code == 200
    response = client.post(
        "/checks/catalogue/GD-1-6/",
        {"name": "特殊字符检测（本馆）", "purpose": "p", "method": "m", "is_active": "on"},
    )
    assert response.status_code == 302
    item = CheckItem.objects.get(code="GD-1-6")
    assert item.name == "特殊字符检测（本馆）" and item.blocking is False and item.is_active
    event = AuditEvent.objects.get(action="checks.item_updated")
    assert event.before["blocking"] is True and event.after["blocking"] is False
    # an empty name is refused with the reason, nothing changes
    response = client.post("/checks/catalogue/GD-1-6/", {"name": "  ", "is_active": "on"})
    assert response.status_code == 200 and "名称为空" in response.content.decode()
    assert CheckItem.objects.get(code="GD-1-6").name == "特殊字符检测（本馆）"


def test_inactive_item_drops_out_of_the_run(sysadmin):
    from lantai.accounts.actor import Actor

    services.update_item(Actor.for_user(sysadmin), CheckItem.objects.get(code="GD-1-6"), {"is_active": False})
    assert "GD-1-6" not in {e.code for e in load_entries("GD", "WS")[1]}


def test_archivist_cannot_edit(logged_in, archivist):
    client = logged_in(archivist)
    assert client.get("/checks/catalogue/").status_code == 200  # ingest.review may read
    assert client.get("/checks/catalogue/GD-1-6/").status_code == 404
    assert client.post("/checks/catalogue/GD-1-6/", {"name": "x"}).status_code == 404
    assert CheckItem.objects.get(code="GD-1-6").name == "元数据项数据包含特殊字符检测"
    from lantai.accounts.actor import Actor

    with pytest.raises(PermissionDenied):
        services.update_item(Actor.for_user(archivist), CheckItem.objects.get(code="GD-1-6"), {"name": "x"})


def test_reader_sees_nothing(logged_in, reader):
    assert logged_in(reader).get("/checks/catalogue/").status_code == 404
    assert logged_in(reader).get("/api/v1/checks/catalogue").status_code == 403


def test_scheme_edit_sets_items_order_and_blocking_override(logged_in, sysadmin):
    client = logged_in(sysadmin)
    assert client.get("/checks/schemes/").status_code == 200
    page = client.get("/checks/schemes/GD-ZP/")
    assert page.status_code == 200 and "GD-4-2" in page.content.decode()
    response = client.post(
        "/checks/schemes/GD-ZP/",
        {
            "name": "照片归档检测方案（本馆）",
            "use_GD-4-2": "on",
            "order_GD-4-2": "5",
            "blocking_GD-4-2": "yes",
            "use_GD-3-3": "on",
            "order_GD-3-3": "10",
            "blocking_GD-3-3": "no",
        },
    )
    assert response.status_code == 302
    code, entries = load_entries("GD", "ZP")
    assert code == "GD-ZP"
    assert [(e.code, e.blocking) for e in entries] == [("GD-4-2", True), ("GD-3-3", False)]
    # the per-category format list of a kept item survives the edit
    scheme = CheckScheme.objects.get(code="GD-ZP")
    assert scheme.entries.get(item__code="GD-3-3").params["formats"][0] == "JPEG"
    assert AuditEvent.objects.filter(action="checks.scheme_updated", object_id="GD-ZP").count() == 1


def test_scheme_refuses_items_of_another_stage(sysadmin):
    from lantai.accounts.actor import Actor

    scheme = CheckScheme.objects.get(code="GD-WS")
    with pytest.raises(services.SchemeInvalid) as exc:
        services.set_scheme_entries(Actor.for_user(sysadmin), scheme, [services.EntrySpec("YJ-1-1", 1)])
    assert exc.value.code == "checks.scheme_invalid"
    assert scheme.entries.count() > 20


def test_api_catalogue_and_schemes(logged_in, archivist):
    client = logged_in(archivist)
    items = client.get("/api/v1/checks/catalogue?stage=GD&dimension=usability").json()
    codes = {i["code"] for i in items}
    assert "GD-3-3" in codes and all(c.startswith("GD-3-") for c in codes)
    schemes = {s["code"]: s for s in client.get("/api/v1/checks/schemes").json()}
    assert schemes["GD-WS"]["category"] == "WS" and schemes["GD-DEFAULT"]["category"] is None
    assert any(e["code"] == "GD-4-2" for e in schemes["GD-WS"]["items"])


def test_scheme_parameters_are_edited_as_json_and_validated(logged_in, sysadmin):
    client = logged_in(sysadmin)
    page = client.get("/checks/schemes/GD-WS/").content.decode()
    assert "&quot;formats&quot;" in page  # the current parameters are shown for editing
    base = {"name": "文书归档检测方案", "use_GD-3-3": "on", "order_GD-3-3": "1"}
    bad = client.post("/checks/schemes/GD-WS/", {**base, "params_GD-3-3": "{formats: [PDF"})
    assert bad.status_code == 200 and "JSON" in bad.content.decode()
    unknown = client.post("/checks/schemes/GD-WS/", {**base, "params_GD-3-3": '{"formats": ["DOCX"]}'})
    assert unknown.status_code == 200
    assert CheckScheme.objects.get(code="GD-WS").entries.count() > 1  # nothing was written
    ok = client.post("/checks/schemes/GD-WS/", {**base, "params_GD-3-3": '{"formats": ["OFD", "PDFA"]}'})
    assert ok.status_code == 302
    entry = CheckScheme.objects.get(code="GD-WS").entries.get()
    assert entry.params == {"formats": ["OFD", "PDFA"]}


def test_archiving_formats_are_editable_data(logged_in, sysadmin, archivist, tmp_path):
    from lantai.checks.models import AllowedFormat

    client = logged_in(sysadmin)
    response = client.post(
        "/checks/formats/new/",
        {
            "code": "djvu",
            "name": "DjVu",
            "mime_types": "image/vnd.djvu",
            "puids": "x-fmt/255",
            "extensions": ".DJVU, djv",
            "outcome": "warning",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    fmt = AllowedFormat.objects.get(code="DJVU")
    assert fmt.extensions == ["djvu", "djv"] and fmt.outcome == "warning"
    assert AuditEvent.objects.filter(action="checks.format_saved", object_id="DJVU").exists()
    # PNG switched off (the active box left unticked); a bad MIME type is refused, nothing changes
    client.post(
        "/checks/formats/PNG/",
        {"name": "PNG", "mime_types": "image/png", "extensions": "png", "outcome": "warning"},
    )
    assert AllowedFormat.objects.get(code="PNG").is_active is False
    bad = client.post("/checks/formats/PNG/", {"name": "PNG", "mime_types": "png", "outcome": "warning"})
    assert bad.status_code == 200 and AllowedFormat.objects.get(code="PNG").mime_types == ["image/png"]
    assert logged_in(archivist).get("/checks/formats/PNG/").status_code == 404
