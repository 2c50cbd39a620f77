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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_serves_the_chinese_ui_and_the_demo_admin_logs_in(tmp_path):
    """`make run` end to end on a fresh data folder (the virtual environment is this one, so
    its creation is timed by hand instead: docs/performance.md)."""
    import http.cookiejar
    import os
    import signal
    import time
    import urllib.parse
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update({"LANTAI_DATA_DIR": str(tmp_path / "var"), "LANTAI_BIND": f"127.0.0.1:{port}"})
    env["VENV"] = str(Path(sys.executable).parent.parent)
    log = (tmp_path / "make-run.log").open("w")
    proc = subprocess.Popen(
        ["make", "run", f"VENV={env['VENV']}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        deadline = time.monotonic() + 300  # hang guard only: never measured
        while True:
            assert proc.poll() is None, (tmp_path / "make-run.log").read_text(encoding="utf-8")
            try:
                login_page = opener.open(f"{base}/login/", timeout=5).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "make run never served the login page"
                time.sleep(0.5)
        assert "用户名" in login_page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "admin", "password": "Lantai@2026"}
        ).encode()
        landing = opener.open(f"{base}/login/", data=form, timeout=30)
        assert landing.url.rstrip("/") == base  # redirected to the dashboard, not back to login
        assert "首页" in landing.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=120)
        log.close()
    output = (tmp_path / "make-run.log").read_text(encoding="utf-8")
    assert "admin / Lantai@2026" in output  # the demo administrator login is printed
    assert "running on" in output
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
