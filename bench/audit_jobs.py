"""Benchmark: audit chain writes and verification, and the database job queue.

    .venv/bin/python bench/audit_jobs.py                                   # SQLite (embedded)
    bash scripts/with-postgres.sh .venv/bin/python bench/audit_jobs.py     # PostgreSQL

Each figure is printed beside a baseline measured in the same run on the same database:
- audit.record (chain head locked, SM3 link) vs a plain insert of the same row;
- verify_chain vs reading the same rows and hashing the same bytes with raw SM3;
- 2 `lantai worker` processes vs 1, draining the same number of jobs (start-up excluded).
Best of N and median are reported; nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "2000"))
JOBS = int(os.environ.get("BENCH_JOBS", "300"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def setup() -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix="lantai-bench-")
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["LANTAI_DATA_DIR"] = data_dir
    os.environ.setdefault("LANTAI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, count: int, times: list[float], base: list[float] | None = None, unit: str = "") -> None:
    best, median = min(times), statistics.median(times)
    text = f"  {label:<44} best {count / best:>9.0f} {unit}/s   median {count / median:>9.0f} {unit}/s"
    if base:
        text += f"   ratio (best) {min(base) / best:5.2f}x of baseline"
    print(text)


def bench_audit() -> None:
    from django.db import connection, transaction

    from lantai.accounts.actor import Actor
    from lantai.audit import services
    from lantai.audit.models import AuditEvent, ChainHead
    from lantai.audit.verify import verify_chain
    from lantai.core.hashing import sm3_hex

    actor = Actor.system("bench")

    def reset() -> None:
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("TRUNCATE audit_auditevent, audit_chainhead")
            else:
                c.execute("DELETE FROM audit_auditevent")
                c.execute("DELETE FROM audit_chainhead")

    def plain_inserts() -> None:
        reset()
        for i in range(EVENTS):
            with transaction.atomic():
                AuditEvent.objects.create(
                    seq=i + 1,
                    actor_kind="system",
                    actor_name="bench",
                    action="bench.step",
                    object_id=str(i),
                    after={"题名": f"第 {i} 件"},
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )

    def chained_records() -> None:
        reset()
        for i in range(EVENTS):
            with transaction.atomic():
                services.record(actor, "bench.step", object_id=str(i), after={"题名": f"第 {i} 件"})

    print(f"audit log ({connection.vendor}, {EVENTS} events, one transaction each)")
    base = timed(plain_inserts)
    line("plain insert (baseline)", EVENTS, base, unit="ev")
    line("audit.record (locked head + SM3 link)", EVENTS, timed(chained_records), base, unit="ev")

    assert ChainHead.objects.get(pk=1).last_seq == EVENTS

    def raw_read_and_hash() -> None:
        for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
            sm3_hex((event.prev_hash + services.canonical(services.event_fields(event))).encode())

    def verify() -> None:
        report = verify_chain()
        assert report.ok and report.checked == EVENTS

    base = timed(raw_read_and_hash)
    line("read + canonical + SM3 (baseline)", EVENTS, base, unit="ev")
    line("verify_chain", EVENTS, timed(verify), base, unit="ev")


def bench_jobs(env: dict[str, str]) -> None:
    import signal

    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from lantai.core import jobs
    from lantai.core.models import JobProbe, WorkerHeartbeat
    from lantai.core.tasks import probe

    def drain(workers: int) -> list[float]:
        """Workers are started and beating first, so start-up is not in the figure: the clock
        runs from the commit of the enqueue to the last job done."""
        times = []
        for _ in range(REPEAT):
            DBTaskResult.objects.all().delete()
            JobProbe.objects.all().delete()
            procs = [
                subprocess.Popen(
                    [sys.executable, "-m", "lantai", "worker", "--interval", "0.05"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(workers)
            ]
            while WorkerHeartbeat.objects.count() < workers:
                time.sleep(0.05)
            start = time.perf_counter()
            with transaction.atomic():
                for i in range(JOBS):
                    jobs.enqueue(probe, f"b{i}", 0.002)
            while JobProbe.objects.count() < JOBS:
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
            for p in procs:
                p.send_signal(signal.SIGTERM)
            assert [p.wait() for p in procs] == [0] * workers
        return times

    print(f"job queue ({connection.vendor}, {JOBS} jobs of ~2 ms each, enqueue + drain, workers already up)")
    base = drain(1)
    line("1 `lantai worker` process (baseline)", JOBS, base, unit="job")
    line("2 `lantai worker` processes", JOBS, drain(2), base, unit="job")


def main() -> int:
    env = setup()
    bench_audit()
    bench_jobs(env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
