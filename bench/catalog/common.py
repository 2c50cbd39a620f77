"""Shared set-up for the catalogue benchmarks: a throwaway data folder and database, the demo
institutions, a fonds; peak-RSS sampling; percentiles."""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_ready = False
_made_dirs: list[str] = []


def setup_django() -> None:
    global _ready
    if _ready:
        return
    # Always a fresh folder (and so a fresh SQLite database); removed by cleanup().
    os.environ["LANTAI_DATA_DIR"] = tempfile.mkdtemp(prefix="lantai-bench-catalog-")
    _made_dirs.append(os.environ["LANTAI_DATA_DIR"])
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ.setdefault("LANTAI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lantai.accounts import demo as accounts_demo
    from lantai.accounts.models import Institution

    if not Institution.objects.filter(code="QXZF").exists():
        accounts_demo.load()
    _ready = True


def cleanup() -> None:
    import shutil

    for path in _made_dirs:
        shutil.rmtree(path, ignore_errors=True)


def make_fonds(code: str, name: str) -> Any:
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog import services
    from lantai.catalog.models import Fonds

    existing = Fonds.objects.filter(code=code).first()
    if existing:
        return existing
    return services.create_fonds(
        Actor.system("bench"), code=code, name=name, institution=Institution.objects.get(code="QXZF")
    )


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Samples RSS every 20 ms: ``start``, ``peak`` and ``growth`` (MB) over the block."""
    result = {"start": rss_mb(), "peak": 0.0, "growth": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            result["peak"] = max(result["peak"], rss_mb())
            stop.wait(0.02)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join()
        result["peak"] = max(result["peak"], rss_mb())
        result["growth"] = result["peak"] - result["start"]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"p50 {statistics.median(ms):7.2f} ms  p95 {percentile(ms, 95):7.2f} ms  max {max(ms):7.2f} ms"


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result
