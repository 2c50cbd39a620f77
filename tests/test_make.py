"""The tooling behind `make run` / `make test`: the throwaway PostgreSQL wrapper hands the
command's exit status through and leaves nothing behind; `make run` chains the documented
steps. (The full `make test` / `make run` on a clean clone is timed by hand: see
docs/performance.md.)"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = (
    "import os, psycopg; c = psycopg.connect(os.environ['LANTAI_DATABASE_URL']); "
    "print('version', c.execute('show server_version').fetchone()[0]); "
    "print('db', c.execute('select current_database()').fetchone()[0])"
)


def test_with_postgres_runs_the_command_and_passes_its_status_through():
    done = subprocess.run(
        ["bash", "scripts/with-postgres.sh", "sh", "-c", f'{sys.executable} -c "{PROBE}" && exit 7'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 7, done.stderr
    assert re.search(r"^version 15\.", done.stdout, re.M), done.stdout
    assert "db lantai" in done.stdout
    found = re.search(r"on 127\.0\.0\.1:(\d+) \(throwaway data (\S+),", done.stdout)
    assert found, done.stdout
    port, data_dir = int(found.group(1)), Path(found.group(2))
    assert not data_dir.exists()  # removed
    with socket.socket() as s:  # and the server is gone
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_with_postgres_cleans_up_when_the_command_fails_to_start():
    done = subprocess.run(
        ["bash", "scripts/with-postgres.sh", "/nonexistent/command"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 127
    data_dir = Path(re.search(r"throwaway data (\S+),", done.stdout).group(1))  # type: ignore[union-attr]
    assert not data_dir.exists()


def test_make_run_sets_up_initialises_loads_demo_and_serves():
    done = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    steps = [
        "scripts/bootstrap.sh requirements.txt",
        "lantai init",
        "lantai demo",
        "lantai serve",
    ]
    positions = [done.stdout.find(step) for step in steps]
    assert -1 not in positions, done.stdout
    assert positions == sorted(positions)
