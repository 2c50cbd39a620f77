"""Core background tasks: queue maintenance (the stale-job sweeper) and the queue probe.

Tasks take ids and plain values, never objects, and must be idempotent: a job whose worker
died is run again by another worker (see ``lantai.core.jobs``).
"""

from __future__ import annotations

import os
import time

from django.db import transaction
from django_tasks import TaskContext, task

from lantai.core import jobs


@task()
def sweep_stale_jobs() -> int:
    """Re-queue jobs whose worker stopped beating; every worker's heartbeat also does this."""
    return jobs.sweep_stale_jobs()


@task(takes_context=True)
def probe(context: TaskContext, label: str = "", seconds: float = 0.0) -> str:
    """Record that this job ran (one row per job id, so a second run of the same job fails
    loudly on the unique constraint). ``seconds`` simulates work, for checks of many workers."""
    from lantai.core.models import JobProbe

    if seconds > 0:
        time.sleep(min(seconds, 60.0))
    job_id = str(context.task_result.id)
    with transaction.atomic():
        JobProbe.objects.create(job_id=job_id, label=label[:100], worker_pid=os.getpid())
    return job_id
