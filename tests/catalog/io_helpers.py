"""Shared builders for the catalogue import/export/print tests: a fonds and small workbooks."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from lantai.catalog.models import Category, Fonds

WS_HEADER = [
    "档号",
    "年度",
    "保管期限",
    "机构(问题)代码",
    "题名",
    "责任者",
    "文号",
    "日期",
    "密级",
    "开放状态",
    "页数",
    "文种",
]


def ws_row(n: int, **over: object) -> list[object]:
    values: dict[str, object] = {
        "档号": "",
        "年度": 2011,
        "保管期限": "Y",
        "机构(问题)代码": "BGS",
        "题名": f"清溪县人民政府办公室关于做好第{n}项工作的通知",
        "责任者": "清溪县人民政府办公室",
        "文号": f"清政办〔2011〕{n}号",
        "日期": "20110305",
        "密级": "公开",
        "开放状态": "开放",
        "页数": 3,
        "文种": "通知",
    }
    values.update(over)
    return [values[h] for h in WS_HEADER]


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("目录")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def read_xlsx(path: Path) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def make_fonds(institution, code: str = "Z109", name: str = "清溪县人民政府办公室") -> Fonds:
    return Fonds.objects.create(code=code, name=name, institution=institution)


def category(code: str = "WS") -> Category:
    return Category.objects.get(code=code)
