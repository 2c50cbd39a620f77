"""Core commands: init, migrate, serve, worker, demo."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="create the data folder and secret key file, then migrate")
    p.set_defaults(func=cmd_init, needs_django=False)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="run the web server with background workers in-process")
    p.add_argument("--bind", help="address:port (default LANTAI_BIND, 127.0.0.1:8000)")
    p.add_argument(
        "--workers", type=int, help="worker threads beside the web server (default LANTAI_WORKER_THREADS)"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run background workers alone (one process)")
    p.add_argument("--queue", default="*", help="queue names, comma separated, or * for all")
    p.add_argument("--batch", action="store_true", help="run the jobs waiting now, then exit")
    p.add_argument("--max-jobs", type=int, default=None, help="exit after this many jobs")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("jobs", help="background job queue: status, sweep, probe")
    jobs_sub = p.add_subparsers(dest="jobs_command", metavar="SUBCOMMAND", required=True)
    jobs_sub.add_parser("status", help="jobs per status, and live workers").set_defaults(func=cmd_jobs_status)
    jobs_sub.add_parser("sweep", help="re-queue jobs whose worker stopped").set_defaults(func=cmd_jobs_sweep)
    q = jobs_sub.add_parser("probe", help="enqueue a probe job; with --wait, check that a worker runs it")
    q.add_argument("--wait", type=float, default=0.0, help="seconds to wait for a worker (0: do not wait)")
    q.set_defaults(func=cmd_jobs_probe)

    p = sub.add_parser("demo", help="load demo data when the database is empty")
    p.add_argument("--force", action="store_true", help="load even if the database already has users")
    p.set_defaults(func=cmd_demo)


def ensure_data_dir_and_key() -> Path:
    from lantai.conf import env_path

    data_dir = env_path("LANTAI_DATA_DIR", Path.cwd() / "var")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "static").mkdir(exist_ok=True)
    if os.environ.get("LANTAI_SECRET_KEY"):
        return data_dir
    key_file = env_path("LANTAI_SECRET_KEY_FILE", data_dir / "secret_key")
    if not key_file.exists():
        import secrets

        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(50))
        print(f"已生成密钥文件 created secret key file: {key_file}")
    return data_dir


def cmd_init(args: argparse.Namespace) -> int:
    data_dir = ensure_data_dir_and_key()
    from lantai.cli import setup_django

    setup_django()
    cmd_migrate(args)
    print(f"数据目录 data folder: {data_dir}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from waitress import serve

    from lantai.core import jobs
    from lantai.wsgi import application

    bind = args.bind or settings.SERVE_BIND
    host, _, port = bind.rpartition(":")
    threads = settings.WORKER_THREADS if args.workers is None else args.workers
    pool = jobs.start_worker_threads(threads)
    print(
        f"兰台 Lantai 已启动 running on http://{bind}/  (后台任务线程 worker threads: {threads})", flush=True
    )

    def stop(signum: int, frame: object) -> None:
        # waitress leaves SIGTERM at its default (instant death); leaving through SystemExit
        # lets the worker threads finish the job in hand first.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(
            application,
            host=host or "127.0.0.1",
            port=int(port),
            threads=settings.SERVE_THREADS,
            ident="lantai",
        )
    finally:
        print("正在停止 stopping: 等待后台任务完成 waiting for running jobs", flush=True)
        pool.stop()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from lantai.core import jobs

    return jobs.run_worker(
        queues=[q.strip() for q in args.queue.split(",") if q.strip()],
        batch=args.batch,
        max_jobs=args.max_jobs,
        interval=args.interval,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from lantai import demo

    loaded = demo.load_demo(force=args.force)
    if not loaded:
        print("数据库已有数据，未加载演示数据 (database not empty: demo data not loaded; use --force)")
    demo.print_logins(sys.stdout)
    return 0


def cmd_jobs_status(args: argparse.Namespace) -> int:
    from lantai.core import jobs

    counts, workers = jobs.queue_status()
    for status, count in sorted(counts.items()):
        print(f"{status:<12} {count}")
    print(f"活动的后台进程 live workers: {workers}")
    return 0


def cmd_jobs_sweep(args: argparse.Namespace) -> int:
    from lantai.core import jobs

    print(f"已重新排队 re-queued: {jobs.sweep_stale_jobs()}")
    return 0


def cmd_jobs_probe(args: argparse.Namespace) -> int:
    import time

    from django.db import transaction

    from lantai.core import jobs
    from lantai.core.models import JobProbe
    from lantai.core.tasks import probe

    with transaction.atomic():
        result = jobs.enqueue(probe, "cli")
    print(f"已加入队列 enqueued probe job {result.id}", flush=True)
    if args.wait <= 0:
        return 0
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        if JobProbe.objects.filter(job_id=str(result.id)).exists():
            print("后台任务正常 a worker ran the probe")
            return 0
        time.sleep(0.2)
    print(f"{args.wait:g} 秒内没有后台进程执行探测任务 no worker ran the probe in time", file=sys.stderr)
    return 1
