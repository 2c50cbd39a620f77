"""Search through the whole app: catalogue hook → job queue → index, the actor's scope,
withdrawal at commit, highlights, the API, the page and the CLI."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lantai.accounts import roles
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution
from lantai.accounts.services import create_institution
from lantai.core.errors import PermissionDenied
from lantai.search import queries
from lantai.search.models import StaleItem
from lantai.search.query import QueryInvalid

from .conftest import change, run_jobs

pytestmark = pytest.mark.django_db


def titles(actor: Actor, q: str, **kw) -> list[str]:
    return sorted(h.item.title for h in queries.search(actor, q, per_page=100, **kw).hits)


@pytest.fixture
def staff(archivist) -> Actor:
    return Actor.for_user(archivist)


def test_items_are_indexed_when_their_transaction_commits_through_the_job_queue(search_index, plant, staff):
    plant("关于开展档案四性检测工作的通知")
    assert DBTaskResult.objects.filter(task_path__endswith="index_items_task").count() == 1
    assert titles(staff, "四性检测") == []  # committed, job not yet run
    assert run_jobs() == 1
    assert titles(staff, "四性检测") == ["关于开展档案四性检测工作的通知"]
    assert not StaleItem.objects.exists()


def test_a_rolled_back_change_queues_no_job(search_index, plant, staff):
    with pytest.raises(RuntimeError), transaction.atomic():
        plant("回滚的文件")
        raise RuntimeError("roll back")
    assert not DBTaskResult.objects.exists()
    assert not StaleItem.objects.exists()


def test_deleting_an_item_removes_it_from_results_at_once(search_index, plant, staff):
    item = plant("待删除的会议纪要")
    plant("保留的会议纪要")
    run_jobs()
    assert titles(staff, "会议纪要") == ["保留的会议纪要", "待删除的会议纪要"]
    change(item, deleted_at=timezone.now())
    # the index still holds the document, but the query excludes it already
    assert titles(staff, "会议纪要") == ["保留的会议纪要"]
    assert queries.search(staff, "会议纪要").total == 1
    run_jobs()
    assert titles(staff, "会议纪要") == ["保留的会议纪要"]
    assert search_index.count() == 1


def test_closing_an_item_hides_it_from_readers_at_once(search_index, plant, staff, reader):
    item = plant("一九八五年基建文件", open_status="open")
    run_jobs()
    reader_actor = Actor.for_user(reader)
    assert titles(reader_actor, "基建") == ["一九八五年基建文件"]
    change(item, open_status="controlled")
    assert titles(reader_actor, "基建") == []
    assert titles(staff, "基建") == ["一九八五年基建文件"]  # staff may still see controlled records
    run_jobs()
    assert titles(reader_actor, "基建") == []
    change(item, open_status="open")
    run_jobs()
    assert titles(reader_actor, "基建") == ["一九八五年基建文件"]


def test_edited_text_is_searchable_after_the_job(search_index, plant, staff):
    item = plant("旧题名")
    run_jobs()
    change(item, title="新题名")
    assert titles(staff, "旧题名") == ["新题名"]  # still visible, old terms until re-indexed
    run_jobs()
    assert titles(staff, "旧题名") == []
    assert titles(staff, "新题名") == ["新题名"]


PLANTED = [
    ("关于欧阳翠花同志任职的通知", {}),
    ("县檔案館二〇一一年工作總結", {}),
    ("鄂尔多斯市水利工程竣工验收报告", {}),
    ("乡镇政府关于征地补偿的请示", {}),
]
HIDDEN = [
    ("秘密级档案管理通知", {"security_level": 2}),
    ("控制使用的档案通知", {"open_status": "controlled"}),
    ("未审核的档案通知", {"open_status": "unreviewed"}),
]


def test_planted_records_have_full_recall_and_nothing_hidden_leaks(
    search_index, plant, make_user, fonds_factory, system
):
    other_inst = create_institution(system, code="QT", name="其他档案馆", kind=Institution.Kind.ARCHIVE)
    other = fonds_factory("J999", "其他全宗", institution=other_inst)
    for title, kw in PLANTED + HIDDEN:
        plant(title, **kw)
    plant("其他单位的档案通知", fonds=other)
    run_jobs()
    reader = Actor.for_user(make_user("r1", roles.READER))  # open records, clearance 0, own archive only
    visible = [t for t, _ in PLANTED]
    queries_expected = {
        "档": ["县檔案館二〇一一年工作總結"],
        "通": ["关于欧阳翠花同志任职的通知"],
        "知": ["关于欧阳翠花同志任职的通知"],
        "翠": ["关于欧阳翠花同志任职的通知"],
        "通知": ["关于欧阳翠花同志任职的通知"],
        "翠花": ["关于欧阳翠花同志任职的通知"],
        "欧阳翠花": ["关于欧阳翠花同志任职的通知"],
        "鄂尔多斯": ["鄂尔多斯市水利工程竣工验收报告"],
        "竣工": ["鄂尔多斯市水利工程竣工验收报告"],
        "档案馆": ["县檔案館二〇一一年工作總結"],
        "檔案館": ["县檔案館二〇一一年工作總結"],
        "工作总结": ["县檔案館二〇一一年工作總結"],
        "徵地補償": ["乡镇政府关于征地补偿的请示"],
        "请示": ["乡镇政府关于征地补偿的请示"],
    }
    for q, expected in queries_expected.items():
        assert titles(reader, q) == sorted(expected), q
    assert titles(reader, "") == sorted(visible)
    for q in ["档案", "通知", "秘密", "控制", "未审核", "其他", "NOT 水利"]:
        found = titles(reader, q)
        assert not set(found) - set(visible), (q, found)
    result = queries.search(reader, "")
    assert result.total == len(visible)
    assert sum(row["count"] for row in result.facets["open_status"]) == len(visible)
    assert {row["value"] for row in result.facets["fonds"]} == {"J001"}
    # a cleared archivist sees classified and controlled records of their own archive only
    staff = Actor.for_user(make_user("a1", roles.ARCHIVIST, clearance=2))
    assert titles(staff, "档案 通知") == ["控制使用的档案通知", "未审核的档案通知", "秘密级档案管理通知"]


def test_the_three_administrators_and_keys_without_search_are_refused(
    search_index, sysadmin, auditor, secadmin
):
    for user in (sysadmin, auditor, secadmin):
        with pytest.raises(PermissionDenied):
            queries.search(Actor.for_user(user), "档案")


def test_highlights_fold_traditional_and_escape_html(search_index, plant, staff):
    plant("檔案<b>移交</b>清單", notes="本卷收录<script>档案</script>移交清单及说明。")
    run_jobs()
    (hit,) = queries.search(staff, "档案").hits
    assert str(hit.title) == "<mark>檔案</mark>&lt;b&gt;移交&lt;/b&gt;清單"
    assert "<mark>档案</mark>" in str(hit.snippet)
    assert "<script>" not in str(hit.snippet)


def test_facets_filters_and_sorting_through_the_service(search_index, plant, staff):
    import datetime

    plant("甲档案", year=2010, date=datetime.date(2010, 1, 1), retention="D10")
    plant("乙档案", year=2012, date=datetime.date(2012, 6, 1), retention="D30")
    plant("丙档案", year=2012, date=datetime.date(2012, 12, 1), category="ZP")
    run_jobs()
    page = queries.search(staff, "档案")
    assert {r["value"]: r["count"] for r in page.facets["year"]} == {"2010": 1, "2012": 2}
    assert {r["value"]: r["label"] for r in page.facets["category"]} == {"WS": "文书", "ZP": "照片"}
    assert [h.item.title for h in queries.search(staff, "档案", sort="-date").hits] == [
        "丙档案",
        "乙档案",
        "甲档案",
    ]
    f = queries.make_filters(year_from="2011", category=["WS"])
    assert titles(staff, "档案", filters=f) == ["乙档案"]
    f = queries.make_filters(date_from="2012-01-01", date_to="2012-07-01")
    assert titles(staff, "档案", filters=f) == ["乙档案"]
    with pytest.raises(queries.FilterInvalid):
        queries.make_filters(date_from="昨天")
    with pytest.raises(queries.FilterInvalid):
        queries.search(staff, "档案", sort="random")
    with pytest.raises(QueryInvalid):
        queries.search(staff, "(档案")


def test_api_search_returns_hits_with_highlights_and_facets(search_index, plant, reader, logged_in, client):
    plant("关于档案数字化的通知", responsible_party="县档案局")
    plant("机密文件", security_level=3)
    run_jobs()
    response = logged_in(reader).get("/api/v1/search", {"q": "档案 数字化"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1
    (hit,) = body["hits"]
    assert hit["title_html"] == "关于<mark>档案数字化</mark>的通知"
    assert hit["fonds"] == "J001" and hit["category"] == "WS" and hit["page"] == 0
    assert {f["value"] for f in body["facets"]["year"]} == {"2011"}
    bad = client.get("/api/v1/search", {"q": "档案", "date_from": "tomorrow"})
    assert bad.status_code == 422 and bad.json()["code"] == "search.filter_invalid"
    client.logout()
    assert client.get("/api/v1/search", {"q": "档案"}).status_code == 401


def test_api_refuses_the_audit_administrator(search_index, auditor, logged_in):
    response = logged_in(auditor).get("/api/v1/search", {"q": "档案"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_results_page_shows_facets_highlights_and_the_top_bar_box(search_index, plant, archivist, logged_in):
    first = plant("县档案馆年度工作总结")
    plant("照片档案整理说明", category="ZP")
    run_jobs()
    client = logged_in(archivist)
    page = client.get("/search/", {"q": "档案"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/catalogue/items/{first.public_id}/"' in html  # hits open the catalogue record
    assert "<mark>档案</mark>" in html
    assert 'action="/search/"' in html  # the search box of every staff page
    assert "?q=%E6%A1%A3%E6%A1%88&amp;category=ZP" in html  # facet link adds a filter
    filtered = client.get("/search/", {"q": "档案", "category": "ZP"}).content.decode()
    assert "照片档案整理说明" in filtered.replace("<mark>", "").replace("</mark>", "")
    assert "年度工作总结" not in filtered
    broken = client.get("/search/", {"q": "(档案"})
    assert broken.status_code == 422 and "search.query_invalid" in broken.content.decode()


def test_cli_search_and_reindex(search_index, plant, capsys):
    from lantai.cli import main

    plant("关于开展档案四性检测工作的通知")
    plant("县档案馆工作总结")
    assert main(["search", "四性检测"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "共 0 条 results"  # jobs not run yet
    assert main(["search", "reindex", "--quiet"]) == 0
    assert "reindexed: 2" in capsys.readouterr().out
    assert main(["search", "四性检测"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "共 1 条 results"
    assert "J001-WS·2011-Y-" in out and "关于开展档案【四性检测】工作的通知" in out
    assert main(["search", "(四性"]) == 1


def test_business_system_searches_with_an_api_key(search_index, plant, system, archive, client):
    from lantai.accounts import services as account_services

    plant("关于档案数字化的通知")
    plant("内部会议纪要", security_level=2)
    run_jobs()
    _key, token = account_services.create_api_key(
        system, institution=archive, name="OA", scopes=["catalog.view", "search.use"]
    )
    response = client.get("/api/v1/search", {"q": "档案"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert [h["title_html"] for h in response.json()["hits"]] == ["关于<mark>档案</mark>数字化的通知"]
    _key2, no_search = account_services.create_api_key(
        system, institution=archive, name="OA2", scopes=["catalog.view"]
    )
    refused = client.get("/api/v1/search", {"q": "档案"}, HTTP_AUTHORIZATION=f"Bearer {no_search}")
    assert refused.status_code == 403
