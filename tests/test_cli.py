"""The `lantai` command line, run as a real subprocess where start-up matters (fresh data
folder, secret key handling) and in-process where only the command's effect does."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lantai import __version__
from lantai.accounts.models import User
from lantai.audit.models import AuditEvent
from lantai.cli import main

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_SCRIPT = Path(sys.executable).parent / "lantai"


def fresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """An environment with nothing Lantai-specific set except the data folder: what an
    operator has on a new machine (embedded SQLite in that folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update({"LANTAI_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra})
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lantai", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("lantai-cli")
    return data_dir, run(["init"], fresh_env(data_dir))


def test_help_lists_the_commands():
    done = run(["--help"], fresh_env(Path("/nonexistent")))
    assert done.returncode == 0
    for command in ("init", "serve", "worker", "migrate", "demo", "createadmin", "audit", "jobs"):
        assert command in done.stdout


def test_version_from_the_console_script():
    done = subprocess.run([str(CONSOLE_SCRIPT), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == __version__


def test_no_command_prints_help_and_fails():
    assert main([]) == 2


def test_init_creates_a_private_key_file_and_migrates(initialised):
    data_dir, done = initialised
    assert done.returncode == 0, done.stderr
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text(encoding="utf-8").strip()) >= 50
    assert (data_dir / "lantai.sqlite3").exists()
    assert "Applying audit.0001_initial" in done.stdout


def test_second_init_keeps_the_key_and_succeeds(initialised):
    data_dir, _ = initialised
    key = (data_dir / "secret_key").read_text(encoding="utf-8")
    done = run(["init"], fresh_env(data_dir))
    assert done.returncode == 0, done.stderr
    assert (data_dir / "secret_key").read_text(encoding="utf-8") == key
    assert "No migrations to apply" in done.stdout


def test_migrate_on_an_initialised_folder(initialised):
    data_dir, _ = initialised
    done = run(["migrate"], fresh_env(data_dir))
    assert done.returncode == 0, done.stderr


def test_missing_secret_key_is_refused_outside_debug(tmp_path):
    env = fresh_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", "import lantai.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert "LANTAI_SECRET_KEY is not set" in done.stderr and "lantai init" in done.stderr
    done = run(["migrate"], env)
    assert done.returncode == 1
    assert done.stderr.startswith("配置错误 configuration error:") and "LANTAI_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    # Debug mode may run without one (a development convenience), and so may an explicit key.
    for extra in ({"LANTAI_DEBUG": "1"}, {"LANTAI_SECRET_KEY": "x" * 50}):
        ok = subprocess.run(
            [sys.executable, "-c", "import lantai.settings"],
            env=fresh_env(tmp_path, **extra),
            capture_output=True,
            text=True,
            check=False,
        )
        assert ok.returncode == 0, ok.stderr


def test_bad_setting_value_is_a_clear_error(initialised):
    data_dir, _ = initialised
    done = run(["migrate"], fresh_env(data_dir, LANTAI_JOB_LEASE_SECONDS="soon"))
    assert done.returncode == 1
    assert "LANTAI_JOB_LEASE_SECONDS must be a whole number" in done.stderr


def test_demo_loads_once_then_says_not_empty(initialised):
    data_dir, _ = initialised
    env = fresh_env(data_dir)
    first = run(["demo"], env)
    assert first.returncode == 0, first.stderr
    assert "admin / Lantai@2026" in first.stdout
    assert "database not empty" not in first.stdout
    second = run(["demo"], env)
    assert second.returncode == 0, second.stderr
    assert "database not empty" in second.stdout


def test_createadmin_with_password_from_environment(db, monkeypatch, capsys):
    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "Audit@Strong2026")
    assert main(["createadmin", "shenji", "--role", "audit_admin", "--display-name", "审计员甲"]) == 0
    user = User.objects.get(username="shenji")
    assert user.check_password("Audit@Strong2026")
    assert user.role_assignments.filter(role__code="audit_admin").exists()
    assert AuditEvent.objects.filter(action="accounts.user_created").exists()
    assert "已创建 created shenji (audit_admin)" in capsys.readouterr().out


def test_createadmin_default_role_is_system_admin(db, monkeypatch):
    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "Sys@Strong2026x")
    assert main(["createadmin", "xitong"]) == 0
    assert User.objects.get(username="xitong").role_assignments.filter(role__code="system_admin").exists()


def test_createadmin_refuses_a_weak_password(db, monkeypatch, capsys):
    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "123456")
    assert main(["createadmin", "ruo"]) == 1
    err = capsys.readouterr().err
    assert "[accounts.weak_password]" in err
    assert not User.objects.filter(username="ruo").exists()


def test_createadmin_refuses_a_content_role(db, monkeypatch, capsys):
    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "Sys@Strong2026x")
    with pytest.raises(SystemExit) as exc:
        main(["createadmin", "dangan", "--role", "archivist"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
