"""Benchmark: logins, API authentication and the staff home page.

    .venv/bin/python bench/accounts_api.py                                   # SQLite (embedded)
    bash scripts/with-postgres.sh .venv/bin/python bench/accounts_api.py     # PostgreSQL

Each figure is printed beside a baseline measured in the same run on the same database:
- `accounts.services.authenticate` (lockout bookkeeping, audit event) vs the bare password
  check it contains (PBKDF2, the configured Django hasher);
- GET /api/v1/me with an API key, and with a session, vs GET /api/v1/health (no authentication),
  through Django's full middleware stack (test client, no network);
- the dashboard for the system administrator and for an archivist vs the login page.
Best of N and median are reported; nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGINS = int(os.environ.get("BENCH_LOGINS", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
PASSWORD = "Bench@Pass2026"


def setup() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("LANTAI_SECRET_KEY", "bench-only-secret-key-not-for-production-use")
    os.environ["LANTAI_DATA_DIR"] = tempfile.mkdtemp(prefix="lantai-bench-")
    os.environ.setdefault("LANTAI_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantai.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def timed(fn: Callable[[], object], repeat: int = REPEAT) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, count: int, times: list[float], base: list[float] | None = None, unit: str = "") -> None:
    best, median = min(times), statistics.median(times)
    per = f"ms/{unit}"
    text = f"  {label:<46} best {1000 * best / count:8.2f} {per}   median {1000 * median / count:8.2f} {per}"
    if base:
        text += f"   ratio (best) {best / min(base):5.2f}x the baseline's time"
    print(text, flush=True)


def main() -> None:
    setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from lantai.accounts import roles, services
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution, User

    setup_test_environment()  # lets the test client use the 'testserver' host
    system = Actor.system("bench")
    archive = services.create_institution(system, code="B", name="基准档案馆", kind=Institution.Kind.ARCHIVE)
    admin = services.create_user(system, username="admin", password=PASSWORD, institution=archive)
    services.assign_role(system, admin, roles.SYSTEM_ADMIN)
    clerk = services.create_user(system, username="clerk", password=PASSWORD, institution=archive)
    services.assign_role(system, clerk, roles.ARCHIVIST, archive)
    _key, token = services.create_api_key(system, institution=archive, name="bench", scopes=["catalog.view"])

    print(f"database: {os.environ.get('LANTAI_DATABASE_URL', 'sqlite (embedded)').split('@')[-1]}")
    print(f"logins ({LOGINS} per round, best of {REPEAT}):")
    user = User.objects.get(username="clerk")
    base = timed(lambda: [user.check_password(PASSWORD) for _ in range(LOGINS)])
    line("bare check_password (baseline)", LOGINS, base, unit="login")
    line(
        "services.authenticate",
        LOGINS,
        timed(lambda: [services.authenticate("clerk", PASSWORD) for _ in range(LOGINS)]),
        base,
        unit="login",
    )

    print(f"API requests ({REQUESTS} per round):")
    anonymous = Client()
    base = timed(lambda: [anonymous.get("/api/v1/health") for _ in range(REQUESTS)])
    line("GET /api/v1/health, no auth (baseline)", REQUESTS, base, unit="request")
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    line(
        "GET /api/v1/me with an API key",
        REQUESTS,
        timed(lambda: [anonymous.get("/api/v1/me", **header) for _ in range(REQUESTS)]),
        base,
        unit="request",
    )
    session = Client()
    session.force_login(clerk)
    line(
        "GET /api/v1/me with a session",
        REQUESTS,
        timed(lambda: [session.get("/api/v1/me") for _ in range(REQUESTS)]),
        base,
        unit="request",
    )

    pages = REQUESTS // 3
    print(f"staff pages ({pages} per round):")
    base = timed(lambda: [anonymous.get("/login/") for _ in range(pages)])
    line("GET /login/ (baseline)", pages, base, unit="page")
    for name, who in (("system administrator", admin), ("archivist", clerk)):
        client = Client()
        client.force_login(who)
        line(
            f"GET / dashboard, {name}",
            pages,
            timed(lambda c=client: [c.get("/") for _ in range(pages)]),  # type: ignore[misc]
            base,
            unit="page",
        )


if __name__ == "__main__":
    main()
