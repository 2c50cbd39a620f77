"""Catalogue fixtures: a fonds held by the test agency, actors for the built-in roles."""

from __future__ import annotations

import pytest

from lantai.accounts.actor import Actor
from lantai.catalog import services
from lantai.catalog.models import Category, Fonds

WS_VALUES = {
    "year": "2011",
    "retention": "Y",
    "org_code": "BGS",
    "title": "关于印发2011年档案工作要点的通知",
    "responsible_party": "办公室",
    "document_number": "测办发〔2011〕1号",
    "date": "20110305",
    "security_level": "公开",
    "open_status": "开放",
    "page_count": "3",
}


@pytest.fixture
def fonds(db, system, agency) -> Fonds:
    return services.create_fonds(system, code="Z109", name="测试立档单位全宗", institution=agency)


@pytest.fixture
def ws(db) -> Category:
    return Category.objects.get(code="WS")


@pytest.fixture
def archivist_actor(archivist, agency) -> Actor:
    return Actor.for_user(archivist)


@pytest.fixture
def reader_actor(reader, agency) -> Actor:
    return Actor.for_user(reader)


@pytest.fixture
def sysadmin_actor(sysadmin) -> Actor:
    return Actor.for_user(sysadmin)


@pytest.fixture
def make_item(system, fonds, ws):
    def make(**overrides):
        values = {**WS_VALUES, **overrides}
        return services.create_item(system, fonds=fonds, category=ws, values=values)

    return make
