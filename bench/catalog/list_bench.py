"""List page at 1,000,000 items: 200 keyset pages of 50 rows walked with cursors, through
``queries.item_page`` (``visible_items`` + filters: permission, scope, clearance in the query)
and through the list view (test client, whole page rendered), beside the bare SQL keyset query
on the same table. Items are generated with ``bulk_create`` into a throwaway database."""

from __future__ import annotations

import os
import random
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from bench.catalog.common import make_fonds, percentile, setup_django, summary

ITEMS = int(os.environ.get("BENCH_LIST_ITEMS", "1000000"))
PAGES = int(os.environ.get("BENCH_LIST_PAGES", "200"))
VIEW_PAGES = int(os.environ.get("BENCH_VIEW_PAGES", str(PAGES)))
# A walk stops early after this many seconds (at least MIN_PAGES pages), so that a slow plan
# cannot hold the benchmark for an hour; the number of pages measured is printed.
BUDGET = float(os.environ.get("BENCH_LIST_SECONDS", "90"))
MIN_PAGES = 20
CHUNK = 10_000


def generate(total: int) -> float:
    """Items in two fonds (70 % / 30 %), 1995–2024, numbered per class like real codes. Rows go
    in with one prepared INSERT and executemany (values prepared by the model fields, so the
    same code serves SQLite and PostgreSQL); building a million model objects would dominate."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from lantai.catalog import demo
    from lantai.catalog.models import Category, Item, MetadataScheme
    from lantai.core.i18n import pinyin_key

    ws = Category.objects.get(code="WS")
    scheme = MetadataScheme.objects.get(category=ws, is_current=True)
    big, small = make_fonds("Z001", "清溪县人民政府办公室"), make_fonds("Z002", "清溪县教育局")
    rng = random.Random(11)
    subjects = [s.format(y="") for s in demo.WS_SUBJECTS]
    subject_keys = [pinyin_key(f"清溪县人民政府办公室关于{s}的通知") for s in subjects]
    fields = [f for f in Item._meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in fields}
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Item._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    now = timezone.now()
    constant = {
        "category_id": ws.pk,
        "scheme_id": scheme.pk,
        "org_name": "",
        "responsible_party": "清溪县人民政府办公室",
        "notes": "",
        "created_at": by_name["created_at"].get_db_prep_save(now, connection),
        "updated_at": by_name["updated_at"].get_db_prep_save(now, connection),
        "deleted_at": None,
        "volume_id": None,
        "box_number": "",
    }
    extra = by_name["extra"]
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
            s = rng.randrange(len(subjects))
            row = {
                **constant,
                "public_id": by_name["public_id"].get_db_prep_save(uuid.uuid4(), connection),
                "fonds_id": fonds.pk,
                "archival_code": f"{fonds.code}-WS·{year}-{retention}-{org}-{number:04d}",
                "year": year,
                "retention_id": retention,
                "org_code": org,
                "title": f"清溪县人民政府办公室关于{subjects[s]}的通知（{number}）",
                "title_sort": f"{subject_keys[s]} {number}",
                "security_level": rng.choices((0, 1, 2), weights=(76, 21, 3))[0],
                "open_status": rng.choice(("open", "controlled", "unreviewed")),
                "page_count": rng.randint(1, 24),
                "extra": extra.get_db_prep_save({"doc_type": "通知"}, connection),
                "number": number,
                "document_number": f"清政办〔{year}〕{number}号",
                "date": by_name["date"].get_db_prep_save(
                    date(year, 1, 1) + timedelta(days=rng.randrange(365)), connection
                ),
            }
            batch.append([row[f.attname] for f in fields])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, batch)
        made += len(batch)
    return time.perf_counter() - start


def walk_queries(actor: Any, filters: dict[str, str], sort: str, pages: int) -> list[float]:
    from lantai.catalog import queries

    times: list[float] = []
    after = None
    for _ in range(pages):
        if len(times) >= MIN_PAGES and sum(times) > BUDGET:
            break
        start = time.perf_counter()
        page = queries.item_page(actor, filters, sort=sort, after=after, size=50)
        rows = [(i.archival_code, i.title, i.fonds.code, i.retention.name) for i in page.rows]
        times.append(time.perf_counter() - start)
        assert rows, "empty page"
        after = page.next_cursor
        if after is None:
            break
    return times


def walk_sql(fonds_id: int, pages: int) -> list[float]:
    from django.db import connection

    times: list[float] = []
    key, pk = "", 0
    sql = (
        "SELECT id, archival_code, title FROM catalog_item WHERE fonds_id = %s AND deleted_at IS NULL "
        "AND (archival_code > %s OR (archival_code = %s AND id > %s)) ORDER BY archival_code, id LIMIT 51"
    )
    with connection.cursor() as cursor:
        for _ in range(pages):
            start = time.perf_counter()
            cursor.execute(sql, [fonds_id, key, key, pk])
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
            if len(rows) <= 50:
                break
            pk, key = rows[49][0], rows[49][1]
    return times


def walk_view(user: Any, pages: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    times: list[float] = []
    params: dict[str, str] = {"fonds": "Z001"}
    for _ in range(pages):
        if len(times) >= MIN_PAGES and sum(times) > BUDGET:
            break
        start = time.perf_counter()
        response = client.get("/catalogue/items/", params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        text = response.content.decode()
        marker = text.find("after=")
        if marker < 0:
            break
        href = text[text.rfind('"', 0, marker) + 1 : text.find('"', marker)].replace("&amp;", "&")
        params = {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}
    return times


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    from lantai.accounts.actor import Actor
    from lantai.accounts.models import User
    from lantai.catalog.models import Fonds, Item

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    existing = Item.objects.count()
    made = generate(ITEMS - existing) if existing < ITEMS else 0.0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_item")
    print(
        f"catalogue list benchmark — {Item.objects.count():,} items ({made:.0f} s to generate), "
        f"{PAGES} pages of 50, database {connection.vendor}"
    )
    user = User.objects.get(username="archivist")
    actor = Actor.for_user(user)
    fonds = Fonds.objects.get(code="Z001")
    by_fonds, by_year = {"fonds": "Z001"}, {"fonds": "Z001", "year": "2010"}
    runs: list[tuple[str, Any]] = [
        ("bare SQL keyset (baseline)", lambda: walk_sql(fonds.pk, PAGES)),
        ("item_page, no filter, by 档号", lambda: walk_queries(actor, {}, "code", PAGES)),
        ("item_page, fonds filter, by 档号", lambda: walk_queries(actor, by_fonds, "code", PAGES)),
        ("item_page, fonds filter, by title pinyin", lambda: walk_queries(actor, by_fonds, "title", PAGES)),
        ("item_page, fonds + year 2010, by 档号", lambda: walk_queries(actor, by_year, "code", PAGES)),
        (f"list view /catalogue/items/ (HTML, {VIEW_PAGES} pages)", lambda: walk_view(user, VIEW_PAGES)),
    ]
    for label, fn in runs:
        times = fn()
        print(f"  {label:<42} {summary(times)}  ({len(times)} pages)")
        p50, p95 = percentile(times, 50), percentile(times, 95)
        if label.startswith("bare"):
            base50, base95 = p50, p95
        else:
            print(f"  {'':<42} ratio to bare SQL: p50 {p50 / base50:6.1f}×  p95 {p95 / base95:6.1f}×")


if __name__ == "__main__":
    main()
