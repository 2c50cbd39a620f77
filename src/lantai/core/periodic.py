"""The periodic scheduler: work that must happen every so often without anyone running a
command (sweeps, audit checkpoints, later fixity cycles and reminders).

Apps declare a periodic callable in their ``AppConfig.ready()`` with ``register``. Every
worker's heartbeat thread (``lantai serve`` with worker threads, ``lantai worker``) calls
``run_due`` each beat; a ``PeriodicRun`` row per name, claimed under a row lock, makes sure
that one process runs a due callable once per interval however many workers beat. The
callables must be idempotent and short (enqueue a job for long work): a callable that dies
with its process is simply due again at the next interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("lantai.periodic")


@dataclass(frozen=True)
class Periodic:
    name: str
    interval: Callable[[], timedelta]  # read at each tick, so a setting changed in tests applies
    func: Callable[[], object]


_REGISTRY: dict[str, Periodic] = {}


def register(name: str, func: Callable[[], object], interval: timedelta | Callable[[], timedelta]) -> None:
    """Declare ``func`` to run every ``interval`` (a timedelta or a callable returning one).
    Registering the same name again replaces the entry (app reloads in tests)."""
    get_interval = interval if callable(interval) else (lambda: interval)  # type: ignore[return-value]
    _REGISTRY[name] = Periodic(name, get_interval, func)


def registered() -> list[str]:
    return sorted(_REGISTRY)


def _claim(entry: Periodic) -> bool:
    """True when this process may run ``entry`` now; records the start under the row lock."""
    from lantai.core.models import PeriodicRun

    now = timezone.now()
    with transaction.atomic():
        PeriodicRun.objects.bulk_create([PeriodicRun(name=entry.name)], ignore_conflicts=True)
        row = PeriodicRun.objects.select_for_update(skip_locked=True).filter(name=entry.name).first()
        if row is None:  # another process holds the claim right now
            return False
        if row.last_started_at is not None and now - row.last_started_at < entry.interval():
            return False
        row.last_started_at = now
        row.save(update_fields=["last_started_at"])
    return True


def run_due(names: list[str] | None = None) -> list[str]:
    """Run every registered callable that is due (or only ``names``); returns those run.
    A failing callable is logged and recorded; the others still run."""
    from lantai.core.models import PeriodicRun

    ran = []
    for name in names or registered():
        entry = _REGISTRY.get(name)
        if entry is None or not _claim(entry):
            continue
        error = ""
        try:
            entry.func()
        except Exception as exc:  # one failing sweep must not stop the others
            logger.exception("periodic %s failed", name)
            error = f"{type(exc).__name__}: {exc}"[:1000]
        PeriodicRun.objects.filter(name=name).update(last_finished_at=timezone.now(), last_error=error)
        ran.append(name)
    return ran
