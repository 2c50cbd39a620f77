"""Excel/CSV import: column mapping, dry run, all-or-nothing commit, row/column error report,
archival-code allocation and duplicates, encodings, permissions."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from lantai.accounts.actor import Actor
from lantai.audit.models import AuditEvent
from lantai.catalog import hooks, importing
from lantai.catalog.models import ArchivalCodeCounter, Item
from lantai.core.errors import NotFound, PermissionDenied
from lantai.core.hashing import digest_file
from tests.catalog.io_helpers import WS_HEADER, category, make_fonds, read_xlsx, write_xlsx, ws_row


@pytest.fixture
def fonds(agency):
    return make_fonds(agency)


@pytest.fixture
def actor(archivist, fonds):
    # Built after the fonds' agency exists: the scope is computed when the actor is made.
    return Actor.for_user(archivist)


def do_import(actor, path: Path, fonds, dry_run: bool = False, code: str = "WS"):
    return importing.import_file(actor, path, fonds=fonds, category=category(code), dry_run=dry_run)


def test_dry_run_previews_and_writes_nothing(tmp_path, actor, fonds):
    path = write_xlsx(tmp_path / "目录.xlsx", WS_HEADER, [ws_row(i) for i in range(1, 6)])
    result = do_import(actor, path, fonds, dry_run=True)
    assert result.ok and result.dry_run
    assert result.total_rows == 5 and result.valid_rows == 5
    assert result.columns["题名"] == "title" and result.columns["日期"] == "date"
    assert result.preview[0]["题名"].startswith("清溪县人民政府办公室关于做好第1项")
    assert result.preview[0]["日期"] == "2011-03-05"
    assert Item.objects.count() == 0
    assert not AuditEvent.objects.filter(action="catalog.imported").exists()


def test_import_allocates_codes_and_audits(tmp_path, actor, fonds):
    seen: list[list[int]] = []
    hooks.ITEM_LISTENERS.append(seen.append)
    try:
        rows = [ws_row(1), ws_row(2), ws_row(3, 保管期限="D30"), ws_row(4, **{"机构(问题)代码": ""})]
        path = write_xlsx(tmp_path / "文书目录.xlsx", WS_HEADER, rows)
        result = do_import(actor, path, fonds)
    finally:
        hooks.ITEM_LISTENERS.remove(seen.append)
    assert result.created == 4
    codes = list(Item.objects.order_by("id").values_list("archival_code", flat=True))
    assert codes == [
        "Z109-WS·2011-Y-BGS-0001",
        "Z109-WS·2011-Y-BGS-0002",
        "Z109-WS·2011-D30-BGS-0001",
        "Z109-WS·2011-Y-0001",
    ]
    item = Item.objects.get(archival_code="Z109-WS·2011-Y-BGS-0002")
    assert item.number == 2 and item.year == 2011 and item.retention_id == "Y"
    assert item.date.isoformat() == "2011-03-05" and item.open_status == "open" and item.security_level == 0
    assert item.extra["doc_type"] == "通知"
    assert item.title_sort.startswith("qing1 xi1 xian4")
    assert item.scheme is not None and item.scheme.is_current
    assert sorted(seen[0]) == sorted(Item.objects.values_list("id", flat=True))
    event = AuditEvent.objects.get(action="catalog.imported")
    assert event.object_id == str(fonds.public_id)
    assert event.after["rows"] == 4 and event.after["file_name"] == "文书目录.xlsx"
    assert event.after["sm3"] == digest_file(path, ("sm3",)).sm3


def test_errors_name_row_column_and_rule_and_nothing_is_written(tmp_path, actor, fonds):
    rows = [
        ws_row(1, 档号="Z109-WS·2011-Y-BGS-0001"),
        ws_row(2, 日期="2011-02-30"),  # no such day
        ws_row(3, 保管期限="D99"),  # unknown code
        ws_row(4, 题名=""),  # required
        ws_row(5, 档号="Z109-WS·2011-Y-BGS-0001"),  # repeated in the file
        ws_row(6, 档号="Z109/WS/2011"),  # wrong form
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", WS_HEADER, rows)
    with pytest.raises(importing.ImportRejected) as info:
        do_import(actor, path, fonds)
    assert Item.objects.count() == 0
    assert not ArchivalCodeCounter.objects.exists()
    errors = {(e["row"], e["column"], e["rule"]) for e in info.value.details["errors"]}
    assert errors == {
        (3, "日期", "date"),
        (4, "保管期限", "unknown_code"),
        (5, "题名", "required"),
        (6, "档号", "duplicate_in_file"),
        (7, "档号", "archival_code"),
    }
    by_row = {e["row"]: e for e in info.value.details["errors"]}
    assert by_row[3]["code"] == "catalog.import.bad_date"
    assert "2011-02-30" in by_row[3]["message"] and "日期" in by_row[3]["message"]
    assert "第 2 行" in by_row[6]["message"] or "row 2" in by_row[6]["message"]
    assert info.value.code == "catalog.import.rejected"
    assert "5" in info.value.message_in("en") and "nothing was written" in info.value.message_in("en")
    assert "未写入" in info.value.message_in("zh-hans")


def test_duplicate_against_the_catalogue(tmp_path, actor, fonds):
    do_import(actor, write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1)]), fonds)
    path = write_xlsx(tmp_path / "b.xlsx", WS_HEADER, [ws_row(2, 档号="Z109-WS·2011-Y-BGS-0001"), ws_row(3)])
    result = do_import(actor, path, fonds, dry_run=True)
    assert [(e.row, e.rule, e.code) for e in result.errors] == [
        (2, "duplicate_in_database", "catalog.duplicate_archival_code")
    ]
    with pytest.raises(importing.ImportRejected):
        do_import(actor, path, fonds)
    assert Item.objects.count() == 1


def test_explicit_codes_are_kept_and_allocation_continues_after_them(tmp_path, actor, fonds):
    rows = [ws_row(1, 档号="Z109-WS·2011-Y-BGS-0005"), ws_row(2)]
    do_import(actor, write_xlsx(tmp_path / "a.xlsx", WS_HEADER, rows), fonds)
    item5 = Item.objects.get(archival_code="Z109-WS·2011-Y-BGS-0005")
    assert item5.number == 5
    assert Item.objects.filter(archival_code="Z109-WS·2011-Y-BGS-0006", number=6).exists()


def test_code_that_contradicts_the_row_is_refused(tmp_path, actor, fonds):
    path = write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1, 档号="Z109-WS·2012-Y-BGS-0001")])
    result = do_import(actor, path, fonds, dry_run=True)
    assert [(e.row, e.column, e.rule) for e in result.errors] == [(2, "档号", "archival_code_mismatch")]


def test_missing_required_column_is_reported_before_rows(tmp_path, actor, fonds):
    header = [h for h in WS_HEADER if h != "题名"] + ["无关列"]
    rows = [[v for h, v in zip(WS_HEADER, ws_row(1), strict=True) if h != "题名"] + ["x"]]
    result = do_import(actor, write_xlsx(tmp_path / "a.xlsx", header, rows), fonds, dry_run=True)
    assert (1, "题名", "missing_column") in [(e.row, e.column, e.rule) for e in result.errors]
    assert result.ignored_headers == ["无关列"]


def test_header_aliases_map_to_fields(tmp_path, actor, fonds):
    header = ["年份", "期限", "文件题名", "责任人", "成文日期", "开放标识", "盒号"]
    rows = [[2011, "永久", "关于开展安全检查的通知", "清溪县人民政府办公室", "2011/3/5", "开放", "12"]]
    result = do_import(actor, write_xlsx(tmp_path / "a.xlsx", header, rows), fonds)
    assert result.created == 1
    item = Item.objects.get()
    assert item.retention_id == "永久"  # the legacy period is kept as recorded
    assert item.title == "关于开展安全检查的通知" and item.box_number == "12"
    assert item.archival_code == "Z109-WS·2011-永久-0001"


def test_error_in_last_row_of_several_batches_leaves_nothing(tmp_path, actor, fonds):
    count = importing.BATCH_SIZE * 2 + 10
    rows = [ws_row(i, 文号=f"清政办〔2011〕{i}号") for i in range(1, count)]
    rows.append(ws_row(count, 日期="2011年13月1日"))
    path = write_xlsx(tmp_path / "big.xlsx", WS_HEADER, rows)
    with pytest.raises(importing.ImportRejected) as info:
        do_import(actor, path, fonds)
    assert info.value.details["error_count"] == 1
    assert info.value.details["errors"][0]["row"] == count + 1
    assert Item.objects.count() == 0


def test_failure_while_writing_rolls_everything_back(tmp_path, actor, fonds):
    def broken_listener(ids: list[int]) -> None:
        raise RuntimeError("search index unavailable")

    rows = [ws_row(i) for i in range(1, importing.BATCH_SIZE + 50)]
    path = write_xlsx(tmp_path / "a.xlsx", WS_HEADER, rows)
    hooks.ITEM_LISTENERS.append(broken_listener)
    try:
        with pytest.raises(RuntimeError):
            do_import(actor, path, fonds)
    finally:
        hooks.ITEM_LISTENERS.remove(broken_listener)
    assert Item.objects.count() == 0
    assert not AuditEvent.objects.filter(action="catalog.imported").exists()
    assert not ArchivalCodeCounter.objects.filter(last_number__gt=0).exists()
    assert list((Path(importing._spool_dir())).glob("import-spool-*")) == []


def test_gbk_csv_is_decoded(tmp_path, actor, fonds):
    lines = [",".join(WS_HEADER)] + [",".join(str(v) for v in ws_row(i)) for i in (1, 2)]
    path = tmp_path / "目录.csv"
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    result = do_import(actor, path, fonds)
    assert result.created == 2
    assert Item.objects.filter(title__startswith="清溪县人民政府办公室关于").count() == 2


def test_utf8_bom_csv_is_decoded(tmp_path, actor, fonds):
    lines = [",".join(WS_HEADER), ",".join(str(v) for v in ws_row(1))]
    path = tmp_path / "目录.csv"
    path.write_bytes("\n".join(lines).encode("utf-8-sig"))
    assert do_import(actor, path, fonds, dry_run=True).valid_rows == 1


def test_undecodable_csv_is_refused(tmp_path, actor, fonds):
    path = tmp_path / "目录.csv"
    path.write_bytes(b"\xff\xfe\x80\x80" * 10 + b"\x81\n")
    with pytest.raises(importing.ImportBadEncoding) as info:
        do_import(actor, path, fonds)
    assert info.value.code == "catalog.import.bad_encoding"


def test_replacement_characters_are_reported(tmp_path, actor, fonds):
    path = write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1, 题名="关于\ufffd\ufffd的通知")])
    result = do_import(actor, path, fonds, dry_run=True)
    assert [(e.row, e.column, e.rule) for e in result.errors] == [(2, "题名", "encoding")]


def test_not_a_workbook_is_unreadable(tmp_path, actor, fonds):
    path = tmp_path / "目录.xlsx"
    path.write_text("这不是 Excel 文件", encoding="utf-8")
    with pytest.raises(importing.ImportUnreadableFile) as info:
        do_import(actor, path, fonds)
    assert info.value.code == "catalog.import.unreadable_file"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("hello.txt", "no workbook inside")
    with pytest.raises(importing.ImportUnreadableFile):
        do_import(actor, broken, fonds)


def test_error_report_workbook(tmp_path, actor, fonds):
    rows = [ws_row(1, 日期="昨天"), ws_row(2, 密级="超级机密")]
    result = do_import(actor, write_xlsx(tmp_path / "a.xlsx", WS_HEADER, rows), fonds, dry_run=True)
    report = tmp_path / "errors.xlsx"
    with translation.override("zh-hans"):
        importing.write_error_report(result.errors, report, result.error_count)
    table = read_xlsx(report)
    assert table[0] == ["行号", "列名", "规则", "值", "说明"]
    assert table[1][:2] == [2, "日期"] and "catalog.import.bad_date" in table[1][2] and table[1][3] == "昨天"
    assert table[2][:2] == [3, "密级"] and table[2][3] == "超级机密"
    assert "超级机密" in table[2][4]


def test_reader_may_not_import(tmp_path, reader, fonds):
    path = write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1)])
    with pytest.raises(PermissionDenied):
        do_import(Actor.for_user(reader), path, fonds)


def test_fonds_outside_scope_looks_absent(tmp_path, system, make_user, fonds):
    from lantai.accounts import roles, services
    from lantai.accounts.models import Institution

    other = services.create_institution(system, code="QT", name="其他档案馆", kind=Institution.Kind.ARCHIVE)
    outsider = make_user("outsider", roles.ARCHIVIST, institution=other)
    path = write_xlsx(tmp_path / "a.xlsx", WS_HEADER, [ws_row(1)])
    with pytest.raises(NotFound):
        do_import(Actor.for_user(outsider), path, fonds)
    assert Item.objects.count() == 0


def test_typed_excel_cells_are_read(tmp_path, actor, fonds):
    from datetime import datetime

    rows = [
        ws_row(1, 日期=datetime(2011, 3, 5), 年度=2011.0, 页数=4.0),
        ws_row(2, 日期=20110306),
        ws_row(3, 日期="2011年3月7日"),
    ]
    result = do_import(actor, write_xlsx(tmp_path / "a.xlsx", WS_HEADER, rows), fonds)
    assert result.created == 3
    dates = list(Item.objects.order_by("number").values_list("date", "page_count"))
    assert [d.isoformat() for d, _p in dates] == ["2011-03-05", "2011-03-06", "2011-03-07"]
    assert dates[0][1] == 4
