"""The catalogue core at 1,000,000 items: the left tree (fonds → category → year → retention
with counts) built through ``queries.tree`` for an archivist and a reader and served from its
cache, beside the bare SQL GROUP BY; and 50-row keyset pages walked through
``queries.item_page`` (fonds filter, both sort orders; fonds + category + year), beside the
bare SQL keyset query. Items are generated with ``bulk_create`` into a throwaway database.

    .venv/bin/python bench/catalog_tree.py        # BENCH_TREE_ITEMS=200000 for a quicker run
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

ITEMS = int(os.environ.get("BENCH_TREE_ITEMS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_TREE_ROUNDS", "5"))
CHUNK = 10_000


def setup() -> None:
    os.environ.setdefault("LANTAI_DATA_DIR", tempfile.mkdtemp(prefix="lantai-bench-tree-"))
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ.setdefault("LANTAI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(total: int) -> float:
    """Two fonds (70 % / 30 %), 1995–2024, three retention periods and three 机构."""
    from django.db import transaction

    from lantai.accounts import services as accounts
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog import services
    from lantai.catalog.models import Category, Item, MetadataScheme

    system = Actor.system("bench")
    archive = accounts.create_institution(
        system, code="BDAG", name="基准档案馆", kind=Institution.Kind.ARCHIVE
    )
    agency = accounts.create_institution(system, code="BJG", name="基准机关", parent=archive)
    big = services.create_fonds(system, code="Z001", name="基准全宗一", institution=agency)
    small = services.create_fonds(system, code="Z002", name="基准全宗二", institution=agency)
    ws = Category.objects.get(code="WS")
    scheme = MetadataScheme.objects.get(category=ws, is_current=True)
    rng = random.Random(7)
    counters: dict[tuple[int, int, str, str], int] = {}
    start = time.perf_counter()
    made = 0
    while made < total:
        batch = []
        for _ in range(min(CHUNK, total - made)):
            fonds = big if rng.random() < 0.7 else small
            year = rng.randint(1995, 2024)
            retention = rng.choice(("Y", "D30", "D10"))
            org = rng.choice(("BGS", "MSK", "ZHK"))
            key = (fonds.pk, year, retention, org)
            counters[key] = counters.get(key, 0) + 1
            number = counters[key]
            batch.append(
                Item(
                    fonds=fonds,
                    category=ws,
                    scheme=scheme,
                    archival_code=f"{fonds.code}-WS·{year}-{retention}-{org}-{number:04d}",
                    year=year,
                    retention_id=retention,
                    org_code=org,
                    title=f"关于{year}年工作的通知（{number}）",
                    title_sort=f"guan yu {year} {number}",
                    date=date(year, 1, 1) + timedelta(days=rng.randrange(365)),
                    security_level=rng.choices((0, 1, 2), weights=(76, 21, 3))[0],
                    open_status=rng.choice(("open", "controlled", "unreviewed")),
                    number=number,
                )
            )
        with transaction.atomic():
            Item.objects.bulk_create(batch, batch_size=2000)
        made += len(batch)
    return time.perf_counter() - start


def timed(fn, rounds: int = ROUNDS) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    setup()
    from django.db import connection

    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog import queries

    made = generate(ITEMS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE catalog_item")
    archive = Institution.objects.get(code="BDAG")
    scope = frozenset(Institution.objects.values_list("id", flat=True))
    base_perms = frozenset({"catalog.view", "catalog.view_open"})
    archivist = Actor("user", "1", "archivist", base_perms, scope, 2, archive.pk)
    reader = Actor("user", "2", "reader", frozenset({"catalog.view_open"}), scope, 1, archive.pk)

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT fonds_id, category_id, year, retention_code, COUNT(*) FROM catalog_item "
                "GROUP BY fonds_id, category_id, year, retention_code"
            )
            cursor.fetchall()

    print(
        f"catalogue tree benchmark — {ITEMS:,} items ({made:.0f} s to generate), database {connection.vendor}"
    )
    base = statistics.median(timed(bare))
    print(f"  {'bare SQL GROUP BY (baseline)':<44} median {base * 1000:8.1f} ms")
    for label, fn in (
        ("tree build, archivist (clearance 2)", lambda: queries._build_tree(archivist)),
        ("tree build, reader (open items only)", lambda: queries._build_tree(reader)),
        ("tree(), cached (stamp check only)", lambda: queries.tree(archivist)),
    ):
        queries.tree(archivist)  # warm the cache for the cached case
        median = statistics.median(timed(fn))
        print(f"  {label:<44} median {median * 1000:8.1f} ms   ratio to bare SQL {median / base:6.2f}×")
    from lantai.catalog.models import Fonds

    print("  keyset pages of 50 (50 pages each)")
    bare_walk = walk_bare(Fonds.objects.get(code="Z001").pk)
    print(f"  {'bare SQL keyset on (fonds_id, 档号, id) (baseline)':<44} {p50_p95(bare_walk)}")
    for label, filters, sort in (
        ("item_page, fonds filter, by 档号", {"fonds": "Z001"}, "code"),
        ("item_page, fonds filter, by title pinyin", {"fonds": "Z001"}, "title"),
        ("item_page, no filter, by 档号", {}, "code"),
        (
            "item_page, fonds + WS + 2010, by 档号",
            {"fonds": "Z001", "category": "WS", "year": "2010"},
            "code",
        ),
    ):
        print(f"  {label:<44} {p50_p95(walk_pages(archivist, filters, sort))}")


def walk_pages(actor, filters: dict[str, str], sort: str, pages: int = 50) -> list[float]:  # type: ignore[no-untyped-def]
    from lantai.catalog import queries

    times, after = [], None
    for _ in range(pages):
        start = time.perf_counter()
        page = queries.item_page(actor, filters, sort=sort, after=after, size=50)
        times.append(time.perf_counter() - start)
        after = page.next_cursor
        if after is None:
            break
    return times


def walk_bare(fonds_id: int, pages: int = 50) -> list[float]:
    from django.db import connection

    sql = (
        "SELECT id, archival_code, title FROM catalog_item WHERE fonds_id = %s AND deleted_at IS NULL "
        "AND (archival_code > %s OR (archival_code = %s AND id > %s)) ORDER BY archival_code, id LIMIT 51"
    )
    times, key, pk = [], "", 0
    with connection.cursor() as cursor:
        for _ in range(pages):
            start = time.perf_counter()
            cursor.execute(sql, [fonds_id, key, key, pk])
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
            if len(rows) <= 50:
                break  # the last page
            pk, key = rows[49][0], rows[49][1]
    return times


def p50_p95(times: list[float]) -> str:
    ordered = sorted(times)
    p50 = ordered[len(ordered) // 2] * 1000
    p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
    return f"p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   ({len(ordered)} pages)"


if __name__ == "__main__":
    main()
