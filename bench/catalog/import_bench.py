"""Import rate: a 100,000-row 文书 .xlsx through the importer (check pass + all-or-nothing write,
档号 allocation, pinyin sort keys, audit) beside plain ``bulk_create`` of the same rows, in the
same process on the same fresh database. Prints wall time, rows/s, the ratio and peak RSS
growth of each run (sampled every 20 ms)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.catalog.common import make_fonds, peak_rss, setup_django, timed

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
BATCH = 2000


def write_workbook(path: Path, rows: int) -> tuple[list[str], float]:
    import openpyxl

    from lantai.catalog import demo

    headers, data = demo.WS_HEADERS, demo.ws_rows("Z001", "清溪县人民政府办公室", rows, 7, (1995, 2024))
    start = time.perf_counter()
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("文书目录")
    ws.append(headers)
    for row in data:
        ws.append(row)
    wb.save(path)
    return headers, time.perf_counter() - start


def wipe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_item")
        cursor.execute("DELETE FROM catalog_archivalcodecounter")


SECURITY = {"公开": 0, "内部": 1, "秘密": 2, "机密": 3, "绝密": 4}
OPEN = {"开放": "open", "控制": "controlled", "未审核": "unreviewed"}


def plain_item(fonds: Any, category: Any, headers: list[str], values: tuple[Any, ...], n: int) -> Any:
    """The same row as an Item with the least work a hand-written loader would do."""
    from lantai.catalog.models import Item

    row = dict(zip(headers, values, strict=False))
    return Item(
        fonds=fonds,
        category=category,
        archival_code=f"{fonds.code}-{n:07d}",
        year=int(row["年度"]),
        retention_id=str(row["保管期限"]),
        org_code=row["机构(问题)代码"] or "",
        title=row["题名"],
        responsible_party=row["责任者"] or "",
        document_number=row["文号"] or "",
        date=datetime.strptime(str(row["日期"]), "%Y%m%d").date(),
        security_level=SECURITY[row["密级"]],
        open_status=OPEN[row["开放状态"]],
        page_count=int(row["页数"]),
        extra={"doc_type": row["文种"]},
        number=n,
    )


def read_rows(path: Path) -> tuple[list[str], Any]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    return [str(h) for h in next(rows)], rows


def read_and_bulk_create(path: Path, fonds: Any, category: Any) -> int:
    from django.db import transaction

    from lantai.catalog.models import Item

    headers, rows = read_rows(path)
    batch: list[Any] = []
    count = 0
    with transaction.atomic():
        for values in rows:
            count += 1
            batch.append(plain_item(fonds, category, headers, values, count))
            if len(batch) >= BATCH:
                Item.objects.bulk_create(batch)
                batch = []
        Item.objects.bulk_create(batch)
    return count


def bulk_create_built(items: list[Any]) -> None:
    from django.db import transaction

    from lantai.catalog.models import Item

    with transaction.atomic():
        Item.objects.bulk_create(items, batch_size=BATCH)


def line(label: str, seconds: float, rows: int, rss: dict[str, float] | None = None) -> str:
    memory = f"  peak RSS +{rss['growth']:6.1f} MB" if rss else ""
    return f"  {label:<44} {seconds:8.2f} s  {rows / seconds:9.0f} rows/s{memory}"


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    from lantai.accounts.actor import Actor
    from lantai.catalog import importing
    from lantai.catalog.models import Category, Item

    path = Path(settings.DATA_DIR) / "bench-import.xlsx"
    headers, made = write_workbook(path, ROWS)
    size = path.stat().st_size / 1e6
    print(
        f"catalogue import benchmark — {ROWS:,} rows, {size:.1f} MB .xlsx (written in {made:.1f} s), "
        f"database {connection.vendor}"
    )
    actor = Actor.system("bench")
    fonds = make_fonds("Z001", "清溪县人民政府办公室")
    category = Category.objects.get(code="WS")

    with peak_rss() as rss_check:
        t_check, result = timed(
            importing.import_file, actor, path, fonds=fonds, category=category, dry_run=True
        )
    assert result.ok, result.errors[:3]
    with peak_rss() as rss_import:
        t_import, result = timed(importing.import_file, actor, path, fonds=fonds, category=category)
    assert result.created == ROWS and Item.objects.count() == ROWS
    wipe()
    with peak_rss() as rss_read:
        t_read, count = timed(read_and_bulk_create, path, fonds, category)
    assert count == ROWS
    wipe()
    _h, rows = read_rows(path)
    items = [plain_item(fonds, category, headers, values, n) for n, values in enumerate(rows, start=1)]
    with peak_rss() as rss_bulk:
        t_bulk, _none = timed(bulk_create_built, items)
    wipe()

    print(line("importer: check pass only (dry run)", t_check, ROWS, rss_check))
    print(line("importer: check + write (the real import)", t_import, ROWS, rss_import))
    print(line("baseline: openpyxl read + bulk_create", t_read, ROWS, rss_read))
    print(line("baseline: bulk_create of built objects", t_bulk, ROWS, rss_bulk))
    print(f"  ratio importer / bulk_create of built objects : {t_import / t_bulk:5.1f}×")
    print(f"  ratio importer / openpyxl read + bulk_create  : {t_import / t_read:5.1f}×")


if __name__ == "__main__":
    main()
