"""Catalogue reads: scope, clearance and open status are applied inside the query; hidden
records look absent; keyset pages never repeat or skip rows; the tree counts visible items."""

from __future__ import annotations

import pytest

from lantai.accounts import services as accounts
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution
from lantai.catalog import queries, services
from lantai.core.errors import NotFound


@pytest.fixture
def mixed(make_item):
    """Four items: open/public, controlled, secret (level 2), top secret (level 4)."""
    return {
        "open": make_item(title="开放文件"),
        "controlled": make_item(title="控制文件", open_status="控制"),
        "secret": make_item(title="秘密文件", security_level="秘密", open_status="控制"),
        "top": make_item(title="绝密文件", security_level="绝密", open_status="控制"),
    }


def titles(qs):
    return sorted(i.title for i in qs)


def test_archivist_sees_up_to_the_clearance(archivist_actor, mixed):
    assert titles(queries.visible_items(archivist_actor)) == sorted(["开放文件", "控制文件", "秘密文件"])


def test_reader_sees_open_items_only(reader_actor, mixed):
    assert titles(queries.visible_items(reader_actor)) == ["开放文件"]
    with pytest.raises(NotFound):
        queries.access_item(reader_actor, mixed["controlled"].public_id)
    assert queries.access_item(reader_actor, mixed["open"].public_id) == mixed["open"]


@pytest.mark.parametrize("role", ["sysadmin", "auditor", "secadmin"])
def test_the_three_administrators_see_no_items(request, role, mixed):
    actor = Actor.for_user(request.getfixturevalue(role))
    assert not queries.visible_items(actor).exists()
    with pytest.raises(NotFound):
        queries.access_item(actor, mixed["open"].public_id)


def test_sysadmin_sees_fonds_to_configure_them(sysadmin_actor, fonds):
    assert list(queries.visible_fonds(sysadmin_actor)) == [fonds]


def test_other_institutions_are_out_of_scope(system, make_user, mixed, fonds):
    other = accounts.create_institution(system, code="OTH", name="他馆", kind=Institution.Kind.ARCHIVE)
    outsider = Actor.for_user(make_user("outsider", "archivist", institution=other, clearance=4))
    assert not queries.visible_items(outsider).exists()
    assert not queries.visible_fonds(outsider).exists()
    with pytest.raises(NotFound):
        queries.access_item(outsider, mixed["open"].public_id)
    with pytest.raises(NotFound):
        queries.access_fonds(outsider, fonds.public_id)


def test_withdrawn_items_are_hidden(archivist_actor, mixed):
    services.delete_item(archivist_actor, mixed["open"], "撤出")
    with pytest.raises(NotFound):
        queries.access_item(archivist_actor, mixed["open"].public_id)


def test_malformed_ids_are_not_found(archivist_actor):
    for bad in ("", "not-a-uuid", "123", None):
        with pytest.raises(NotFound):
            queries.access_item(archivist_actor, bad)


def test_filters(archivist_actor, make_item):
    make_item(title="二〇一一年通知", year="2011")
    make_item(title="二〇一二年报告", year="2012", date="20120301", retention="D30")
    make_item(title="会议纪要", year="2012", date="20120302", responsible_party="党委")
    base = queries.visible_items(archivist_actor)
    assert titles(queries.filter_items(base, {"year": "2012"})) == ["二〇一二年报告", "会议纪要"]
    assert titles(queries.filter_items(base, {"retention": "D30"})) == ["二〇一二年报告"]
    assert titles(queries.filter_items(base, {"q": "党委"})) == ["会议纪要"]
    assert titles(queries.filter_items(base, {"q": "通知", "fonds": "Z109", "category": "WS"})) == [
        "二〇一一年通知"
    ]
    assert not queries.filter_items(base, {"year": "abc"}).exists()
    assert queries.filter_items(base, {"open_status": "open"}).count() == 3


def test_keyset_pages_cover_every_row_once_in_both_orders(archivist_actor, make_item):
    titles_in = ["张", "安", "白", "李", "赵", "钱", "孙", "周", "吴", "郑", "王"]
    for t in titles_in:
        make_item(title=t)
    for sort in ("code", "title"):
        seen, after = [], None
        while True:
            page = queries.item_page(archivist_actor, {}, sort=sort, after=after, size=3)
            seen.extend(page.rows)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert len(seen) == len(titles_in) and len({i.pk for i in seen}) == len(titles_in)
        if sort == "code":
            assert [i.number for i in seen] == list(range(1, 12))
        else:
            assert [i.title for i in seen][:3] == ["安", "白", "李"]
            assert [i.title_sort for i in seen] == sorted(i.title_sort for i in seen)


def test_keyset_ignores_foreign_cursors(archivist_actor, make_item):
    make_item()
    page = queries.item_page(archivist_actor, {}, after="garbage!!")
    assert len(page.rows) == 1


def test_keyset_does_not_use_offset(archivist_actor, make_item, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(4):
        make_item(title=f"件{n}")
    first = queries.item_page(archivist_actor, {}, size=2)
    with CaptureQueriesContext(connection) as ctx:
        queries.item_page(archivist_actor, {}, size=2, after=first.next_cursor)
    sql = ctx.captured_queries[-1]["sql"].upper()
    assert "OFFSET" not in sql and "ORDER BY" in sql


def test_tree_counts_visible_items(archivist_actor, reader_actor, make_item):
    make_item(title="a")
    make_item(title="b", year="2012", date="20120101")
    make_item(title="c", year="2012", date="20120101", retention="D30", open_status="控制")
    [fonds_node] = queries.tree(archivist_actor)
    assert fonds_node.count == 3 and fonds_node.filters == {"fonds": "Z109"}
    [ws_node] = fonds_node.children
    assert [(y.label, y.count) for y in ws_node.children] == [("2012", 2), ("2011", 1)]
    retention_2012 = {r.key: r.count for r in ws_node.children[0].children}
    assert retention_2012 == {"D30": 1, "Y": 1}
    assert ws_node.children[0].children[0].filters == {
        "fonds": "Z109",
        "category": "WS",
        "year": "2012",
        "retention": "D30",
    }
    [reader_fonds] = queries.tree(reader_actor)
    assert reader_fonds.count == 2


def test_tree_follows_changes_despite_its_cache(archivist_actor, reader_actor, make_item):
    make_item(title="a")
    closed = make_item(title="b", open_status="控制")
    assert queries.tree(reader_actor)[0].count == 1
    assert queries.tree(reader_actor)[0].count == 1  # served from the cache
    services.update_item(archivist_actor, closed, {"open_status": "开放"})
    assert queries.tree(reader_actor)[0].count == 2
    make_item(title="c")
    assert queries.tree(reader_actor)[0].count == 3
    services.delete_item(archivist_actor, closed, "撤出")
    assert queries.tree(reader_actor)[0].count == 2


def test_tree_is_empty_for_the_three_administrators(sysadmin_actor, make_item):
    make_item()
    assert queries.tree(sysadmin_actor) == []
