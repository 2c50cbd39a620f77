"""Background jobs on the database queue, driven through real `lantai worker` / `lantai serve`
processes: a job exists exactly when its transaction commits, each job runs once even with
two workers, a killed worker's job is handed on, and SIGTERM lets a worker finish first."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lantai.cli import main
from lantai.core import jobs
from lantai.core.models import JobProbe, WorkerHeartbeat
from lantai.core.tasks import probe, sweep_stale_jobs
from tests.test_jobs_support import gated_probe

ROOT = Path(__file__).resolve().parent.parent


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lantai", *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: Callable[[], object], what: str, guard: float = 120.0) -> None:
    """Poll until ``condition()`` holds. The guard only keeps a broken build from hanging CI;
    nothing here measures speed."""
    deadline = time.monotonic() + guard
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.05)


def finish(proc: subprocess.Popen, guard: float = 120.0) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=guard)
    return proc.returncode, out


def live_workers() -> int:
    return WorkerHeartbeat.objects.count()


def test_enqueue_in_rolled_back_transaction_leaves_no_job(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue(probe, "rolled back")
        assert DBTaskResult.objects.count() == 1  # written in the caller's transaction …
        raise RuntimeError("the domain write fails")
    assert DBTaskResult.objects.count() == 0  # … and gone with it


def test_enqueue_in_committed_transaction_leaves_a_ready_job(db):
    with transaction.atomic():
        result = jobs.enqueue(probe, "kept")
    row = DBTaskResult.objects.get()
    assert str(row.id) == str(result.id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "lantai.core.tasks.probe"
    assert row.args_kwargs == {"args": ["kept"], "kwargs": {}}


def test_worker_batch_runs_waiting_jobs_and_exits(subprocess_env):
    with transaction.atomic():
        ids = {str(jobs.enqueue(probe, f"p{i}").id) for i in range(3)}
        sweep_id = str(jobs.enqueue(sweep_stale_jobs).id)
    code, out = finish(start(["worker", "--batch"], subprocess_env))
    assert code == 0, out
    assert set(JobProbe.objects.values_list("job_id", flat=True)) == ids
    assert {p.worker_pid for p in JobProbe.objects.all()} != {os.getpid()}
    statuses = set(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL}
    assert DBTaskResult.objects.get(id=sweep_id).return_value == 0
    assert live_workers() == 0  # a worker that leaves removes its heartbeat


def test_two_workers_run_every_job_exactly_once(subprocess_env):
    env = {**subprocess_env, "LANTAI_LOG_LEVEL": "WARNING"}
    workers = [start(["worker", "--interval", "0.1"], env) for _ in range(2)]
    try:
        wait_for(lambda: live_workers() == 2, "both workers beating")
        with transaction.atomic():
            ids = {str(jobs.enqueue(probe, f"job{i}", 0.005).id) for i in range(200)}
        wait_for(
            lambda: not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists(),
            "the queue drained",
        )
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
    results = [finish(w) for w in workers]
    assert [code for code, _ in results] == [0, 0], results
    # The unique job id would have failed any second run of a job: all succeeded, once each.
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 200
    assert set(JobProbe.objects.values_list("job_id", flat=True)) == ids
    assert JobProbe.objects.count() == 200
    pids = set(JobProbe.objects.values_list("worker_pid", flat=True))
    assert pids == {w.pid for w in workers}  # both took part


def test_killed_worker_loses_no_work(subprocess_env, tmp_path):
    env = {**subprocess_env, "LANTAI_JOB_LEASE_SECONDS": "2"}
    gate, started = tmp_path / "gate", tmp_path / "started"
    with transaction.atomic():
        job_id = str(jobs.enqueue(gated_probe, str(gate), str(started)).id)
    first = start(["worker", "--interval", "0.1"], env)
    wait_for(started.exists, "the first worker started the job")
    first.send_signal(signal.SIGKILL)
    finish(first)
    job = DBTaskResult.objects.get(id=job_id)
    assert job.status == TaskResultStatus.RUNNING and len(job.worker_ids) == 1
    gate.touch()
    second = start(["worker", "--interval", "0.1", "--max-jobs", "1"], env)
    code, out = finish(second)
    assert code == 0, out
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert len(job.worker_ids) == 2 and job.worker_ids[0] != job.worker_ids[1]
    assert JobProbe.objects.get(job_id=job_id).worker_pid == second.pid
    assert "re-queued job" in out


def test_live_worker_keeps_its_job_and_sigterm_lets_it_finish(subprocess_env, tmp_path):
    env = {**subprocess_env, "LANTAI_JOB_LEASE_SECONDS": "3"}  # the worker beats every second
    gate, started = tmp_path / "gate", tmp_path / "started"
    with transaction.atomic():
        job_id = str(jobs.enqueue(gated_probe, str(gate), str(started)).id)
    worker = start(["worker", "--interval", "0.1"], env)
    wait_for(started.exists, "the worker started the job")
    time.sleep(4)  # longer than the lease: only the heartbeat keeps the job with its worker
    assert jobs.sweep_stale_jobs(lease_seconds=3) == 0
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert worker.poll() is None  # still finishing the job in hand
    gate.touch()
    code, out = finish(worker)
    assert code == 0, out
    assert DBTaskResult.objects.get(id=job_id).status == TaskResultStatus.SUCCESSFUL
    assert live_workers() == 0


def test_idle_worker_stops_on_sigterm(subprocess_env):
    worker = start(["worker", "--interval", "0.2"], subprocess_env)
    wait_for(lambda: live_workers() == 1, "the worker beating")
    worker.send_signal(signal.SIGTERM)
    code, out = finish(worker)
    assert code == 0, out
    assert live_workers() == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return response.status == 200
    except OSError:
        return False


def test_serve_runs_jobs_in_process(subprocess_env):
    port = _free_port()
    env = {**subprocess_env, "LANTAI_WORKER_THREADS": "1"}
    server = start(["serve", "--bind", f"127.0.0.1:{port}"], env)
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/api/v1/health"), "the server answering")
        with transaction.atomic():
            job_id = str(jobs.enqueue(probe, "served").id)
        wait_for(lambda: JobProbe.objects.filter(job_id=job_id).exists(), "the in-process worker ran it")
        assert JobProbe.objects.get(job_id=job_id).worker_pid == server.pid
    finally:
        server.send_signal(signal.SIGTERM)
    code, out = finish(server)
    assert code == 0, out
    assert "running on" in out and live_workers() == 0


def test_jobs_cli_probe_and_status(db, capsys):
    assert main(["jobs", "probe"]) == 0
    assert DBTaskResult.objects.filter(task_path="lantai.core.tasks.probe", status="READY").count() == 1
    assert main(["jobs", "status"]) == 0
    out = capsys.readouterr().out
    assert "READY" in out and "live workers: 0" in out
    assert main(["jobs", "sweep"]) == 0
    assert "re-queued: 0" in capsys.readouterr().out


def test_jobs_probe_wait_fails_without_a_worker(db, capsys):
    assert main(["jobs", "probe", "--wait", "0.3"]) == 1
    assert "no worker ran the probe" in capsys.readouterr().err
