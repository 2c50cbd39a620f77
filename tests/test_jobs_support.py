"""Test-only tasks for tests/test_jobs.py, importable by worker subprocesses (cwd = repo root).

No tests here: this module only holds tasks whose timing the tests control."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.db import transaction
from django_tasks import TaskContext, task


@task(takes_context=True)
def gated_probe(context: TaskContext, gate: str, started: str) -> str:
    """Mark ``started``, wait until the file ``gate`` exists, then record the run like ``probe``.

    Lets a test kill or stop a worker while it is provably in the middle of a job."""
    from lantai.core.models import JobProbe

    Path(started).write_text(str(os.getpid()), encoding="utf-8")
    while not Path(gate).exists():
        time.sleep(0.05)
    job_id = str(context.task_result.id)
    with transaction.atomic():
        JobProbe.objects.create(job_id=job_id, label="gated", worker_pid=os.getpid())
    return job_id
