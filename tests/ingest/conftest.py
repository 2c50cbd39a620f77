"""Fixtures for online archiving: a fonds, an agency API key, private staging and storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantai.accounts import services as account_services
from lantai.catalog.models import Category, Fonds


@pytest.fixture(autouse=True)
def ingest_dirs(settings, tmp_path) -> dict[str, Path]:
    dirs = {"staging": tmp_path / "staging", "objects": tmp_path / "objects"}
    settings.INGEST_STAGING_DIR = dirs["staging"]
    settings.STORAGE_ROOT = dirs["objects"]
    settings.STORAGE_REPLICAS = []
    return dirs


@pytest.fixture
def fonds(db, agency) -> Fonds:
    return Fonds.objects.create(code="Z109", name="测试立档单位", institution=agency)


@pytest.fixture
def ws(db) -> Category:
    return Category.objects.get(code="WS")


@pytest.fixture
def submit_token(system, agency) -> str:
    _key, token = account_services.create_api_key(
        system, institution=agency, name="OA 系统", scopes=["ingest.submit"]
    )
    return token


@pytest.fixture
def api(client, submit_token):
    """POST/GET with the agency's API key."""

    class Api:
        def post(self, path: str, data: dict, **extra):
            return client.post(
                f"/api/v1/ingest{path}", data, HTTP_AUTHORIZATION=f"Bearer {submit_token}", **extra
            )

        def post_json(self, path: str, body: dict):
            return client.post(
                f"/api/v1/ingest{path}",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {submit_token}",
            )

        def get(self, path: str):
            return client.get(f"/api/v1/ingest{path}", HTTP_AUTHORIZATION=f"Bearer {submit_token}")

    return Api()


def staging_entries(dirs: dict[str, Path]) -> list[Path]:
    root = dirs["staging"]
    return [p for p in root.iterdir()] if root.exists() else []


def stored_objects(dirs: dict[str, Path]) -> list[Path]:
    root = dirs["objects"] / "sha256"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def run_commit_hooks() -> None:
    """Tests run inside one transaction that never commits; run what the services asked to
    do on commit (removing staged payloads) as a real commit would."""
    from django.db import connection

    pending = list(connection.run_on_commit)
    connection.run_on_commit.clear()
    for _sids, func, _robust in pending:
        func()
