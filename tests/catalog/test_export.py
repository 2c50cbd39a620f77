"""Excel export of filtered lists: Chinese headers in scheme order, the list filters and the
actor's visibility applied in the query, re-importable values, audited."""

from __future__ import annotations

import pytest

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent
from lantai.catalog import exporting, importing
from lantai.core.errors import PermissionDenied
from tests.catalog.io_helpers import WS_HEADER, category, make_fonds, read_xlsx, ws_row


@pytest.fixture
def fonds(agency):
    return make_fonds(agency)


@pytest.fixture
def actor(archivist, fonds):
    return Actor.for_user(archivist)


@pytest.fixture
def loaded(fonds):
    rows = [ws_row(i) for i in range(1, 4)]
    rows += [ws_row(4, 年度=2012, 日期="20120101"), ws_row(5, 密级="秘密"), ws_row(6, 开放状态="控制")]
    importing.run_import(
        Actor.system("test"),
        fonds=fonds,
        category=category(),
        table=importing.RowsTable(WS_HEADER, rows),
        file_name="t.xlsx",
    )
    return fonds


def export_rows(actor, filters, tmp_path):
    result = exporting.export_items(actor, filters, directory=tmp_path)
    try:
        return result, read_xlsx(result.path)
    finally:
        result.path.unlink()


def test_export_with_filters_in_scheme_order(actor, loaded, tmp_path):
    result, rows = export_rows(actor, {"fonds": "Z109", "category": "WS", "year": "2011"}, tmp_path)
    header = rows[0]
    assert header[:4] == ["全宗号", "门类", "档号", "年度"]
    assert header.index("题名") < header.index("责任者") < header.index("日期") < header.index("文种")
    assert header[-1] == "盒号"
    assert result.rows == 5 and len(rows) == 6  # year 2012 filtered out
    first = dict(zip(header, rows[1], strict=True))
    assert first["档号"] == "Z109-WS·2011-Y-BGS-0001" and first["日期"] == "20110305"
    assert first["保管期限"] == "Y" and first["密级"] == "公开" and first["开放状态"] == "开放"
    assert first["文种"] == "通知"
    assert result.file_name.startswith("文书目录-") and result.file_name.endswith(".xlsx")
    event = AuditEvent.objects.get(action="catalog.exported")
    assert event.after["rows"] == 5 and event.after["filters"]["year"] == "2011"


def test_reader_without_export_permission_is_refused(reader, loaded, tmp_path):
    with pytest.raises(PermissionDenied):
        exporting.export_items(Actor.for_user(reader), {}, directory=tmp_path)


def test_low_clearance_does_not_export_secret_items(make_user, loaded, tmp_path):
    from lantai.accounts import roles

    low = make_user("low", roles.ARCHIVIST, clearance=1)
    _result, rows = export_rows(Actor.for_user(low), {}, tmp_path)
    codes = {r[2] for r in rows[1:]}
    assert len(rows) == 6 and "Z109-WS·2011-Y-BGS-0004" not in codes  # row 5 of the load: 秘密


def test_export_reimports_as_duplicates(actor, loaded, tmp_path):
    result = exporting.export_items(actor, {"category": "WS"}, directory=tmp_path)
    check = importing.import_file(actor, result.path, fonds=loaded, category=category(), dry_run=True)
    assert check.total_rows == 6
    assert {e.rule for e in check.errors} == {"duplicate_in_database"}
    assert check.ignored_headers == ["门类"]


def test_import_template_has_the_scheme_headers_and_imports_as_empty(archivist, fonds, logged_in, tmp_path):
    from django.urls import reverse

    client = logged_in(archivist)
    response = client.get(reverse("catalog_io:import_template", args=["ZP"]))
    assert response.status_code == 200
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.content)
    header = read_xlsx(path)[0]
    assert (
        header[:3] == ["档号", "年度", "保管期限"]
        and "摄影者" in header
        and "张号" in header
        and "全宗号" not in header
    )
    assert len(read_xlsx(path)) == 1  # no hint row that could be imported by mistake
    assert client.get(reverse("catalog_io:import_template", args=["XX"])).status_code == 404
