"""Search test fixtures: a fresh index per test, planted catalogue items, a job runner."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable

import pytest
from django.db import transaction

from lantai.catalog import hooks
from lantai.catalog.models import Category, Fonds, Item, RetentionPeriod
from lantai.search.backends import get_backend, reset_backends

_numbers = itertools.count(1)


@pytest.fixture(params=["tantivy", pytest.param("postgres", marks=pytest.mark.postgres_only)])
def search_index(request, db, settings, tmp_path):
    """Each backend in turn, on an empty index of this test."""
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backends()
    yield get_backend()
    reset_backends()


def run_jobs() -> int:
    """Run every queued job in this thread, in order, as a worker would (the real worker loop
    closes the connection, which the test's transaction cannot survive)."""
    from django_tasks_db.models import DBTaskResult

    done = 0
    while job := DBTaskResult.objects.ready().order_by("enqueued_at", "id").first():
        job.claim("test-worker")
        job.set_successful(job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]))
        done += 1
    return done


@pytest.fixture
def fonds_factory(db, archive) -> Callable[..., Fonds]:
    def make(code: str = "J001", name: str = "测试全宗", institution=None) -> Fonds:
        return Fonds.objects.create(code=code, name=name, institution=institution or archive)

    return make


@pytest.fixture
def plant(db, fonds_factory) -> Callable[..., Item]:
    """Create an item the way the catalogue's services do: one transaction, then the hook."""
    default_fonds: dict[str, Fonds] = {}

    def make(title: str, *, fonds: Fonds | None = None, **kw) -> Item:
        if fonds is None:
            fonds = default_fonds.get("f") or fonds_factory()
            default_fonds["f"] = fonds
        n = next(_numbers)
        values = {
            "category": Category.objects.get(code=kw.pop("category", "WS")),
            "retention": RetentionPeriod.objects.get(code=kw.pop("retention", "Y")),
            "year": 2011,
            "archival_code": f"{fonds.code}-WS·2011-Y-{n:04d}",
            "open_status": "open",
            "security_level": 0,
            "date": datetime.date(2011, 3, 5),
        }
        values.update(kw)
        with transaction.atomic():
            item = Item.objects.create(fonds=fonds, title=title, **values)
            hooks.items_changed([item.pk])
        return item

    return make


def change(item: Item, **values) -> None:
    """Update an item as a catalogue service would (hook inside the transaction)."""
    with transaction.atomic():
        for k, v in values.items():
            setattr(item, k, v)
        item.save()
        hooks.items_changed([item.pk])
