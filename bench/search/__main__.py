"""Search benchmark, one command: builds the same synthetic corpus into our tantivy backend,
our postgres backend (when run under scripts/with-postgres.sh) and SQLite FTS5 (unicode61
on the same jieba-rs words: the baseline), runs the query sets on each and prints p50/p95
side by side with the ratios against the baseline.

    .venv/bin/python -m bench.search                       # 200k records, tantivy + FTS5
    bash scripts/with-postgres.sh .venv/bin/python -m bench.search   # + PostgreSQL
    .venv/bin/python -m bench.search --big                 # 1M records
    .venv/bin/python -m bench.search --e2e                 # + /api/v1/search, 20 clients

Latencies are engine-level and single-threaded: tantivy and postgres return the top 10 by
relevance *and* the total count (what the search page needs); FTS5 returns the top 10 by
bm25 only, which flatters the baseline.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path


def _setup(data_dir: Path) -> None:
    os.environ.setdefault("LANTAI_DATA_DIR", str(data_dir))
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghij")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time(run: Callable[[str], object], queries: list[str]) -> dict[str, float]:
    for q in queries:  # warm-up pass: caches, lazily loaded dictionaries
        run(q)
    samples = []
    for q in queries:
        t = time.perf_counter()
        run(q)
        samples.append((time.perf_counter() - t) * 1000)
    return {"p50": statistics.median(samples), "p95": _pct(samples, 95), "mean": statistics.fmean(samples)}


def _batches(count: int, size: int = 5000) -> Iterator[list]:
    from bench.search.corpus import records

    batch = []
    for doc in records(count):
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_tantivy(root: Path, count: int) -> tuple[object, dict[str, float]]:
    from lantai.search.backends.tantivy_backend import TantivyBackend

    backend = TantivyBackend(root / "tantivy")
    docs = list(_flatten(_batches(count)))  # generate first: time only analysis + indexing
    rss = _rss_mb()
    t = time.perf_counter()
    backend.rebuild(_chunks(docs))
    seconds = time.perf_counter() - t
    size = sum(f.stat().st_size for f in (root / "tantivy").rglob("*") if f.is_file())
    del docs
    return backend, {
        "seconds": seconds,
        "rate": count / seconds,
        "size_mb": size / 1e6,
        "rss_growth_mb": _rss_mb() - rss,
    }


def _flatten(batches: Iterator[list]) -> Iterator:
    for b in batches:
        yield from b


def _chunks(docs: list, size: int = 5000) -> Iterator[list]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def build_fts5(root: Path, count: int) -> tuple[sqlite3.Connection, dict[str, float]]:
    from lantai.search.analysis import words

    db = sqlite3.connect(root / "fts5.sqlite3")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61')")
    t = time.perf_counter()
    for batch in _batches(count):
        db.executemany(
            "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
            [(d.item_id, words(d.title), words(d.body)) for d in batch],
        )
    db.commit()
    seconds = time.perf_counter() - t
    return db, {
        "seconds": seconds,
        "rate": count / seconds,
        "size_mb": os.path.getsize(root / "fts5.sqlite3") / 1e6,
    }


def build_postgres(count: int) -> tuple[object, dict[str, float]]:
    from django.core.management import call_command

    from lantai.search.backends.postgres_backend import PostgresBackend

    call_command("migrate", "search", verbosity=0)  # only this app's tables
    backend = PostgresBackend()
    docs = list(_flatten(_batches(count)))
    t = time.perf_counter()
    backend.rebuild(_chunks(docs))
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE search_pgdocument")
        cur.execute("SELECT pg_total_relation_size('search_pgdocument')")
        size = cur.fetchone()[0]
    seconds = time.perf_counter() - t
    return backend, {"seconds": seconds, "rate": count / seconds, "size_mb": size / 1e6}


def rum_probe(queries: list[str]) -> dict[str, float] | None:
    """Does the RUM index (Debian postgresql-15-rum) make ranked top-10 fast? Builds a RUM index
    on the same tsvector column and times ``ORDER BY tsv <=> q LIMIT 10`` (+ count)."""
    from django.db import connection

    from lantai.search.backends.postgres_backend import _phrase
    from lantai.search.query import Term, parse

    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cur.fetchone() is None:
            return None
        cur.execute("CREATE EXTENSION IF NOT EXISTS rum")
        t = time.perf_counter()
        cur.execute("CREATE INDEX bench_rum ON search_pgdocument USING rum (tsv rum_tsvector_ops)")
        cur.execute("ANALYZE search_pgdocument")
        build = time.perf_counter() - t

        def run(q: str) -> object:
            node = parse(q)
            assert isinstance(node, Term)
            tsq = _phrase(node, "")
            cur.execute(
                "SELECT item_id FROM search_pgdocument WHERE tsv @@ %s::tsquery "
                "ORDER BY tsv <=> %s::tsquery LIMIT 10",
                [tsq, tsq],
            )
            cur.fetchall()
            cur.execute("SELECT count(*) FROM search_pgdocument WHERE tsv @@ %s::tsquery", [tsq])
            return cur.fetchone()

        result = _time(run, queries)
        cur.execute("DROP INDEX bench_rum")
    result["build_s"] = build
    return result


def _engine_runner(backend: object) -> Callable[[str], object]:
    from lantai.search.backends.base import Scope, SearchRequest
    from lantai.search.query import parse

    everything = Scope(fonds_ids=None, max_security=4, open_only=False)

    def run(q: str) -> object:
        return backend.search(  # type: ignore[attr-defined]
            SearchRequest(query=parse(q), scope=everything, limit=10, facets=False)
        )

    return run


def _scoped_runner(backend: object) -> Callable[[str], object]:
    """Top 10 + count + six facets under a reader-like scope (30 of 60 fonds, open only)."""
    from lantai.search.backends.base import Scope, SearchRequest
    from lantai.search.query import parse

    scope = Scope(fonds_ids=frozenset(range(1, 31)), max_security=1, open_only=True)

    def run(q: str) -> object:
        return backend.search(SearchRequest(query=parse(q), scope=scope, limit=10, facets=True))  # type: ignore[attr-defined]

    return run


def _fts5_runner(db: sqlite3.Connection) -> Callable[[str], object]:
    from lantai.search.analysis import fold

    def run(q: str) -> object:
        match = " AND ".join(f'"{w}"' for w in fold(q).split())
        return db.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 4.0, 1.0) LIMIT 10", (match,)
        ).fetchall()

    return run


def recall_check(tantivy_backend: object, db: sqlite3.Connection, queries: list[str]) -> tuple[int, int]:
    """Documents found by tantivy vs by the FTS5 word index, summed over the queries: the
    bigram field finds every substring occurrence, the word index misses split words."""
    from lantai.search.analysis import fold
    from lantai.search.backends.base import Scope, SearchRequest
    from lantai.search.query import parse

    everything = Scope(fonds_ids=None, max_security=4, open_only=False)
    ours = theirs = 0
    for q in queries:
        ours += tantivy_backend.search(  # type: ignore[attr-defined]
            SearchRequest(query=parse(q), scope=everything, limit=1, facets=False)
        ).total
        theirs += db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (f'"{fold(q)}"',)).fetchone()[0]
    return ours, theirs


def e2e(
    count: int, clients: int, requests_per_client: int, queries: list[str], root: Path
) -> dict[str, float]:
    """/api/v1/search over HTTP on loopback against `lantai serve`, ``clients`` threads."""
    import http.client
    import socket
    import subprocess
    import threading

    (root / "e2e").mkdir(exist_ok=True)
    env = dict(os.environ, LANTAI_DATA_DIR=str(root / "e2e"), LANTAI_SEARCH_BACKEND="tantivy")
    env.pop("LANTAI_DATABASE_URL", None)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env["LANTAI_BIND"] = f"127.0.0.1:{port}"
    env["LANTAI_WEB_THREADS"] = str(clients)
    env["LANTAI_WORKER_THREADS"] = "0"
    setup = subprocess.run(
        [sys.executable, "-m", "bench.search.e2e_setup", str(count)], env=env, capture_output=True, text=True
    )
    if setup.returncode != 0:
        raise SystemExit(setup.stderr)
    cookie, reindex_seconds = setup.stdout.strip().splitlines()[-1].split(" ")
    server = subprocess.Popen(
        [sys.executable, "-m", "lantai", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        from urllib.parse import quote

        samples: list[float] = []
        errors = 0
        lock = threading.Lock()

        def client(n: int) -> None:
            nonlocal errors
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine = []
            for i in range(requests_per_client):
                q = queries[(n * requests_per_client + i) % len(queries)]
                t = time.perf_counter()
                conn.request("GET", f"/api/v1/search?q={quote(q)}", headers={"Cookie": f"sessionid={cookie}"})
                response = conn.getresponse()
                response.read()
                mine.append((time.perf_counter() - t) * 1000)
                if response.status != 200:
                    with lock:
                        errors += 1
            with lock:
                samples.extend(mine)

        # warm-up
        client(0)
        samples.clear()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "p50": statistics.median(samples),
        "p95": _pct(samples, 95),
        "qps": len(samples) / wall,
        "errors": errors,
        "reindex_rate": count / float(reindex_seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--big", action="store_true", help="1,000,000 records")
    parser.add_argument("--no-fts5", action="store_true")
    parser.add_argument("--e2e", action="store_true", help="also /api/v1/search at 20 concurrent clients")
    parser.add_argument("--e2e-records", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args(argv)
    count = 1_000_000 if args.big else args.records
    with tempfile.TemporaryDirectory(prefix="lantai-bench-search-") as tmp:
        root = Path(tmp)
        _setup(root)
        from bench.search.corpus import query_sets
        from django.db import connection

        sets = query_sets()
        print(
            f"corpus: {count:,} synthetic records (~250 CJK chars each); queries: "
            + ", ".join(f"{k}" for k in sets)
        )
        results: dict[str, dict[str, dict[str, float]]] = {}
        builds: dict[str, dict[str, float]] = {}

        def report(name: str) -> None:  # print as soon as measured: a later failure loses nothing
            b = builds.get(name)
            if b:
                print(
                    f"  built {name}: {b['seconds']:.1f} s, {b['rate']:,.0f} records/s, {b['size_mb']:.0f} MB"
                )
            for set_name, r in results.get(name, {}).items():
                print(
                    f"  {name:<24} {set_name:<30} p50 {r['p50']:8.2f} ms  p95 {r['p95']:8.2f} ms", flush=True
                )

        tantivy_backend, builds["tantivy (ours)"] = build_tantivy(root, count)
        results["tantivy (ours)"] = {k: _time(_engine_runner(tantivy_backend), qs) for k, qs in sets.items()}
        results["tantivy (ours)"]["scoped + 6 facets"] = _time(
            _scoped_runner(tantivy_backend), sets[next(iter(sets))]
        )
        report("tantivy (ours)")
        db = None
        if not args.no_fts5:
            db, builds["SQLite FTS5 (baseline)"] = build_fts5(root, count)
            results["SQLite FTS5 (baseline)"] = {k: _time(_fts5_runner(db), qs) for k, qs in sets.items()}
            report("SQLite FTS5 (baseline)")
        if connection.vendor == "postgresql":
            pg_backend, builds["postgres (ours)"] = build_postgres(count)
            results["postgres (ours)"] = {k: _time(_engine_runner(pg_backend), qs) for k, qs in sets.items()}
            results["postgres (ours)"]["scoped + 6 facets"] = _time(
                _scoped_runner(pg_backend), sets[next(iter(sets))][:100]
            )
            report("postgres (ours)")
            rum = rum_probe(sets[next(iter(sets))])
            if rum is not None:
                results["postgres + RUM (probe)"] = {next(iter(sets)): rum}
                builds["postgres RUM index only"] = {
                    "seconds": rum["build_s"],
                    "rate": count / rum["build_s"],
                    "size_mb": 0,
                }
                report("postgres + RUM (probe)")
        else:
            print("(postgres backend skipped: run under scripts/with-postgres.sh to include it)")

        print("\nindex build (analysis + indexing, single process, 2 cores):")
        for name, b in builds.items():
            extra = f", peak RSS growth {b['rss_growth_mb']:.0f} MB" if "rss_growth_mb" in b else ""
            print(
                f"  {name:<24} {b['seconds']:7.1f} s  {b['rate']:9,.0f} records/s"
                f"  {b['size_mb']:7.0f} MB{extra}"
            )
        base = results.get("SQLite FTS5 (baseline)")
        print("\nlatency, ms (p50 / p95)   — ratio = baseline p95 / engine p95")
        for name, per_set in results.items():
            for set_name, r in per_set.items():
                ratio = ""
                if base and set_name in base and name != "SQLite FTS5 (baseline)":
                    ratio = f"  ×{base[set_name]['p95'] / r['p95']:.2g} vs FTS5"
                if (
                    "postgres (ours)" in results
                    and name == "tantivy (ours)"
                    and set_name in results["postgres (ours)"]
                ):
                    ratio += f"  ×{results['postgres (ours)'][set_name]['p95'] / r['p95']:.1f} vs postgres"
                print(f"  {name:<24} {set_name:<30} {r['p50']:8.2f} / {r['p95']:8.2f}{ratio}")
        if db is not None:
            ours, theirs = recall_check(tantivy_backend, db, sets[next(iter(sets))])
            print(
                f"\nrecall over the 300 words: tantivy bigram field {ours:,} hits,"
                f" FTS5 word index {theirs:,} hits"
                f" (words split differently in context are missed by a word index)"
            )
        if args.e2e:
            r = e2e(args.e2e_records, args.clients, 50, sets[next(iter(sets))], root)
            print(
                f"\nend to end: /api/v1/search, {args.e2e_records:,} items,"
                f" {args.clients} clients on loopback: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms,"
                f" {r['qps']:.0f} queries/s, {r['errors']} errors; "
                f"`reindex_all` from the catalogue: {r['reindex_rate']:,.0f} items/s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
