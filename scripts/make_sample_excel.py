"""Write the sample import workbooks in docs/samples/ (the README's "导入示例 Excel").

    .venv/bin/python scripts/make_sample_excel.py

* 文书目录示例.xlsx — 30 文书 rows of 2023 with the scheme's Chinese column names and no 档号
  (the importer allocates Z109-WS·2023-Y-BGS-0001 …). Imports cleanly into any fonds.
* 文书目录示例-含错误.xlsx — the same with five deliberate mistakes (an impossible date, an
  unknown retention code, a missing title, a repeated 档号, an unknown 密级) to show the
  row/column/rule error report; nothing from it is ever written.

The rows come from the demo generator (seeded), so the files are the same on every run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from lantai.catalog import demo  # noqa: E402 - after the path set-up

OUT = ROOT / "docs" / "samples"
YEAR = 2023


def rows() -> tuple[list[str], list[list[object]]]:
    headers = [h for h in demo.WS_HEADERS if h != "盒号"]
    data = demo.ws_rows("Z109", "清溪县人民政府办公室", 30, 2023, (YEAR, YEAR))
    keep = [i for i, h in enumerate(demo.WS_HEADERS) if h != "盒号"]
    return headers, [[r[i] for i in keep] for r in data]


def save(path: Path, headers: list[str], data: list[list[object]], required: set[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "文书目录"
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if cell.value in required:
            cell.fill = PatternFill("solid", fgColor="FDE9D9")
    for row in data:
        ws.append(row)
    widths = {"题名": 60, "责任者": 24, "文号": 20, "机构(问题)": 12}
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(index)].width = widths.get(header, 11)
    ws.freeze_panes = "A2"
    wb.save(path)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    headers, data = rows()
    required = {"年度", "保管期限", "题名", "责任者", "日期", "开放状态"}
    save(OUT / "文书目录示例.xlsx", headers, data, required)
    bad = [list(r) for r in data[:10]]
    col = {h: i for i, h in enumerate(headers)}
    bad[1][col["日期"]] = f"{YEAR}0230"  # 2 月 30 日
    bad[3][col["保管期限"]] = "D15"  # not a retention code
    bad[4][col["题名"]] = ""  # required
    bad[6][col["密级"]] = "很秘密"  # not a 密级
    with_code = ["档号", *headers]
    bad = [["", *r] for r in bad]
    bad[7][0] = bad[8][0] = f"Z109-WS·{YEAR}-Y-BGS-0099"  # the same 档号 twice
    bad[7][col["年度"] + 1] = bad[8][col["年度"] + 1] = YEAR
    bad[7][col["保管期限"] + 1] = bad[8][col["保管期限"] + 1] = "Y"
    bad[7][col["机构(问题)代码"] + 1] = bad[8][col["机构(问题)代码"] + 1] = "BGS"
    save(OUT / "文书目录示例-含错误.xlsx", with_code, bad, required)
    print(f"wrote {OUT / '文书目录示例.xlsx'} and {OUT / '文书目录示例-含错误.xlsx'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
