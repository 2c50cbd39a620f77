"""The jobs seam: the django-tasks API on the database backend (django-tasks-db).

* ``enqueue(task, *args)`` writes the job row in the caller's transaction: the job exists
  exactly when the domain change that asked for it commits.
* ``run_worker`` (``lantai worker``) and ``start_worker_threads`` (``lantai serve``) run
  django-tasks-db's worker loop. PostgreSQL hands each job to one worker (SKIP LOCKED);
  SQLite serialises writers.
* Each worker process keeps a heartbeat row fresh; ``sweep_stale_jobs`` puts a job back in
  the queue when the worker that claimed it has not been seen for ``LANTAI_JOB_LEASE_SECONDS``,
  so a killed worker loses no work. Tasks must therefore be idempotent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from lantai.core import periodic

logger = logging.getLogger("lantai.jobs")


def enqueue(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Enqueue a django-tasks task. Pass ids, never objects: the database is the truth."""
    return task.enqueue(*args, **kwargs)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


def beat(worker_ids: list[str]) -> None:
    from lantai.core.models import WorkerHeartbeat

    now = timezone.now()
    for worker_id in worker_ids:
        updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=now)
        if not updated:
            WorkerHeartbeat.objects.create(
                worker_id=worker_id, hostname=socket.gethostname()[:255], pid=os.getpid(), last_seen=now
            )


def sweep_stale_jobs(lease_seconds: int | None = None) -> int:
    """Re-queue RUNNING jobs whose worker's heartbeat is older than the lease. Returns the count."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from lantai.core.models import WorkerHeartbeat

    lease = timedelta(seconds=lease_seconds or settings.JOB_LEASE_SECONDS)
    cutoff = timezone.now() - lease
    live = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
    requeued = 0
    with transaction.atomic():
        for job in DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ):
            owner = job.worker_ids[-1] if job.worker_ids else None
            if owner in live:
                continue
            job.status = TaskResultStatus.READY
            job.started_at = None
            job.save(update_fields=["status", "started_at"])
            requeued += 1
            logger.warning("re-queued job %s: worker %s stopped beating", job.id, owner)
    WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - 10 * lease).delete()
    return requeued


def queue_status() -> tuple[dict[str, int], int]:
    """Jobs per status, and the number of workers seen within the lease."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from lantai.core.models import WorkerHeartbeat

    counts = {
        row["status"]: row["n"] for row in DBTaskResult.objects.values("status").annotate(n=Count("id"))
    }
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    return counts, WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).count()


@dataclass
class Heartbeat:
    worker_ids: list[str]
    interval: float
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        beat(self.worker_ids)
        self._thread = threading.Thread(target=self._run, name="lantai-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                close_old_connections()
                beat(self.worker_ids)
                sweep_stale_jobs()
                periodic.run_due()
            except Exception:  # the beat must survive a passing database error
                logger.exception("heartbeat failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            # A worker that leaves cleanly says so, so its row does not linger as "live".
            from lantai.core.models import WorkerHeartbeat

            WorkerHeartbeat.objects.filter(worker_id__in=self.worker_ids).delete()
        except Exception:  # stopping must not fail because the database went away first
            logger.exception("could not remove heartbeat rows")


def _make_worker(
    worker_id: str, queues: list[str], batch: bool, max_jobs: int | None, interval: float
) -> Any:
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=queues or ["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_jobs,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@dataclass
class WorkerPool:
    workers: list[Any]
    threads: list[threading.Thread]
    heartbeat: Heartbeat | None

    def stop(self, timeout: float = 30.0) -> None:
        """Let each worker finish the job in hand (up to ``timeout`` seconds), then stop beating.
        A job still running after that is handed on by the sweeper once the lease expires."""
        for w in self.workers:
            w.running = False
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.heartbeat:
            self.heartbeat.stop()


def start_worker_threads(count: int, interval: float = 1.0) -> WorkerPool:
    """Run ``count`` worker loops as daemon threads of this process (``lantai serve``)."""
    workers, threads = [], []
    for i in range(count):
        worker = _make_worker(new_worker_id(), ["*"], False, None, interval)
        thread = threading.Thread(target=_guarded_run, args=(worker,), name=f"lantai-worker-{i}", daemon=True)
        workers.append(worker)
        threads.append(thread)
    heartbeat = Heartbeat([w.worker_id for w in workers], interval=max(1.0, settings.JOB_LEASE_SECONDS / 5))
    if workers:
        sweep_stale_jobs()
        heartbeat.start()
    for t in threads:
        t.start()
    return WorkerPool(workers, threads, heartbeat if workers else None)


def _guarded_run(worker: Any) -> None:
    try:
        while worker.running:
            try:
                worker.run()
                return
            except Exception:  # keep the in-process worker alive across database hiccups
                logger.exception("worker loop failed; restarting in 5 s")
                time.sleep(5)
    finally:
        connections.close_all()


def _keep_connections_open(seconds: int = 600) -> None:
    """The worker loop calls ``close_old_connections`` around every job; with the web
    setting (``CONN_MAX_AGE=0``) that means a new database connection per job. A worker
    process keeps its connection instead, checked for health before reuse."""
    connections.close_all()
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = seconds
        connections.settings[alias]["CONN_HEALTH_CHECKS"] = True


def run_worker(
    queues: list[str], batch: bool = False, max_jobs: int | None = None, interval: float = 1.0
) -> int:
    """Run one worker loop in the foreground (``lantai worker``) until SIGTERM/SIGINT."""
    _keep_connections_open()
    worker = _make_worker(new_worker_id(), queues, batch, max_jobs, interval)
    heartbeat = Heartbeat([worker.worker_id], interval=max(1.0, settings.JOB_LEASE_SECONDS / 5))
    sweep_stale_jobs()
    heartbeat.start()
    # SIGTERM/SIGINT: finish the job in hand, then leave (a second signal aborts it; the
    # sweeper then hands it on). When idle, the worker leaves at once with status 0.
    worker.configure_signals()
    logger.info("worker %s started (queues %s)", worker.worker_id, ",".join(queues))
    try:
        worker.run()
    finally:
        worker.reset_signals()
        heartbeat.stop()
    return 0
