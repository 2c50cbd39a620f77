"""Shared fixtures: users for each built-in role, an API client, a request context."""

from __future__ import annotations

import pytest

from lantai.accounts import roles, services
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution, User

PASSWORD = "Test@Pass2026"


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
