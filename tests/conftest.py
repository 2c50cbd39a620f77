"""Shared fixtures: users for each built-in role, an API client, a request context."""

from __future__ import annotations

import contextlib

import pytest

from lantai.accounts import roles, services
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution, User

PASSWORD = "Test@Pass2026"


def pytest_configure(config):
    """In-process tests hash passwords with a cheap hasher: the production PBKDF2 setting
    (about 0.3–0.9 s a hash on this machine) would dominate a suite that creates thousands of
    users. Tests that start `lantai serve` or the CLI in a subprocess keep the real hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@pytest.fixture
def archive(db, system) -> Institution:
    return services.create_institution(system, code="TDAG", name="测试档案馆", kind=Institution.Kind.ARCHIVE)


@pytest.fixture
def agency(db, system, archive) -> Institution:
    return services.create_institution(system, code="TJG", name="测试立档单位", parent=archive)


@pytest.fixture
def make_user(db, system, archive):
    def make(username: str, role: str | None = None, institution: Institution | None = None, **kw) -> User:
        user = services.create_user(
            system,
            username=username,
            password=PASSWORD,
            display_name=kw.pop("display_name", username),
            institution=institution or archive,
            **kw,
        )
        if role:
            scope = None if role in roles.TRIO else (institution or archive)
            services.assign_role(system, user, role, scope)
        return user

    return make


@pytest.fixture
def sysadmin(make_user) -> User:
    return make_user("sysadmin", roles.SYSTEM_ADMIN)


@pytest.fixture
def auditor(make_user) -> User:
    return make_user("auditor", roles.AUDIT_ADMIN)


@pytest.fixture
def secadmin(make_user) -> User:
    return make_user("secadmin", roles.SECURITY_ADMIN)


@pytest.fixture
def archivist(make_user) -> User:
    return make_user("archivist", roles.ARCHIVIST, clearance=2)


@pytest.fixture
def reader(make_user) -> User:
    return make_user("reader", roles.READER)


@pytest.fixture
def logged_in(client):
    def login(user: User):
        client.force_login(user)
        return client

    return login


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected by `make test` in the SQLite pass (-m) and run in
    the PostgreSQL pass; run by hand on SQLite they fail loudly rather than skip."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.usefixtures("_require_postgres"))


@pytest.fixture
def _require_postgres():
    pytest.fail("this test needs PostgreSQL: run it through scripts/with-postgres.sh")


@pytest.fixture
def subprocess_env(transactional_db, settings):
    """Environment for a `python -m lantai …` subprocess that works on this test's database.

    Needs committed data, hence ``transactional_db``; works on SQLite (the test database is a
    file) and PostgreSQL alike."""
    import os

    from django.db import connection

    sd = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{sd['NAME']}"
    else:
        url = f"postgres://{sd['USER']}:{sd['PASSWORD'] or ''}@{sd['HOST']}:{sd['PORT']}/{sd['NAME']}"
    return {
        **os.environ,
        "LANTAI_DATABASE_URL": url,
        "LANTAI_SECRET_KEY": settings.SECRET_KEY,
        "LANTAI_DATA_DIR": str(settings.DATA_DIR),
        "PYTHONUNBUFFERED": "1",
    }


# --- checks (四性检测): a real ClamAV clamd with a tiny EICAR-only signature database ---
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@contextlib.contextmanager
def running_clamd(root, stream_max_length: str = "200M"):
    """Run /usr/sbin/clamd in the foreground on a unix socket under ``root``; yield the socket path.

    The database holds two signatures (DEPENDENCIES.md §7): an MD5 hash of the EICAR file and a
    body signature that also matches EICAR inside archives (ScanArchive yes)."""
    import hashlib
    import socket
    import subprocess
    import time

    db = root / "db"
    db.mkdir()
    (db / "lantai-test.hdb").write_text(
        f"{hashlib.md5(EICAR, usedforsecurity=False).hexdigest()}:{len(EICAR)}:Lantai.Test.EICAR-HDB\n",
        encoding="ascii",
    )
    body = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE".hex()
    (db / "lantai-test.ndb").write_text(f"Lantai.Test.EICAR-NDB:0:*:{body}\n", encoding="ascii")
    sock = root / "clamd.sock"
    conf = root / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                f"LocalSocket {sock}",
                f"DatabaseDirectory {db}",
                f"TemporaryDirectory {root}",
                f"LogFile {root / 'clamd.log'}",
                "Foreground yes",
                "ScanArchive yes",
                "MaxFileSize 200M",
                f"StreamMaxLength {stream_max_length}",
                "",
            ]
        ),
        encoding="ascii",
    )
    proc = subprocess.Popen(
        ["/usr/sbin/clamd", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def pong() -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(str(sock))
                s.sendall(b"nPING\n")
                return s.recv(16).startswith(b"PONG")
        except OSError:
            return False

    deadline = time.monotonic() + 60
    while not pong():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            log = (root / "clamd.log").read_text(errors="replace") if (root / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {err}\n{log}")
        time.sleep(0.05)
    try:
        yield str(sock)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """A real clamd for the whole test session (see ``running_clamd``)."""
    with running_clamd(tmp_path_factory.mktemp("clamd")) as sock:
        yield sock


@pytest.fixture
def clamd_settings(settings, clamd_socket):
    """Point the checks app at the test clamd (and nothing else)."""
    settings.CLAMD_SOCKET = clamd_socket
    settings.CLAMD_ADDRESS = ""
    return settings
