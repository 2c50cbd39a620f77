"""The shared backend suite: every backend must pass it (tantivy on both passes, postgres in
the PostgreSQL pass). Documents are planted straight into the backend."""

from __future__ import annotations

import pytest

from lantai.search.backends import get_backend, reset_backends
from lantai.search.backends.base import Filters, Scope, SearchDoc, SearchRequest
from lantai.search.query import parse

ALL = Scope(fonds_ids=None, max_security=4, open_only=False)


@pytest.fixture(params=["tantivy", pytest.param("postgres", marks=pytest.mark.postgres_only)])
def backend(request, db, settings, tmp_path):
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    reset_backends()
    yield get_backend()
    reset_backends()


def doc(item_id: int, title: str = "", body: str = "", page: int = 0, **kw) -> SearchDoc:
    values = {
        "fonds_id": 1,
        "category": "WS",
        "year": 2011,
        "retention": "Y",
        "open_status": "open",
        "security_level": 0,
        "date": 20110305,
        "archival_code": f"J001-WS·2011-Y-{item_id:04d}",
    }
    values.update(kw)
    return SearchDoc(item_id=item_id, page=page, title=title, body=body, **values)


def ids(backend, q: str, scope: Scope = ALL, **kw) -> list[int]:
    result = backend.search(SearchRequest(query=parse(q), scope=scope, limit=100, **kw))
    return [h.item_id for h in result.hits]


CORPUS = [
    doc(
        1, "关于开展档案四性检测工作的通知", "各单位：为做好电子档案归档工作，现将四性检测有关事项通知如下。"
    ),
    doc(2, "县档案馆二〇一一年工作总结", "全年接收进馆档案三千余卷，完成档案数字化扫描十万页。"),
    doc(3, "欧阳翠花同志任职的通知", "经研究决定，任命欧阳翠花为县档案局副局长。"),
    doc(4, "會議紀要", "本次會議討論了檔案館新館建設問題。"),
    doc(5, "关于印发《归档文件整理规则》的通知", "DA/T 22-2015 规定了归档文件的整理方法。"),
    doc(6, "水利工程项目竣工验收报告", "工程质量合格，同意验收。"),
]


def test_recall_of_one_and_two_character_queries_is_complete(backend):
    backend.replace([d.item_id for d in CORPUS], CORPUS)
    for q in ["档", "案", "馆", "翠", "验", "档案", "通知", "检测", "四性", "归档", "整理", "验收", "竣工"]:
        expected = sorted(
            d.item_id for d in CORPUS if q in (d.title + d.body).replace("檔", "档").replace("館", "馆")
        )
        assert sorted(ids(backend, q)) == expected, q


def test_names_not_in_the_dictionary_and_domain_terms_are_found(backend):
    backend.replace([d.item_id for d in CORPUS], CORPUS)
    assert ids(backend, "欧阳翠花") == [3]
    assert ids(backend, "阳翠") == [3]
    assert ids(backend, "四性检测") == [1]
    assert ids(backend, "性检") == [1]


def test_traditional_and_full_width_queries_fold_to_simplified(backend):
    backend.replace([d.item_id for d in CORPUS], CORPUS)
    assert sorted(ids(backend, "档案馆")) == sorted(ids(backend, "檔案館")) == [2, 4]
    assert ids(backend, "会议纪要") == [4]
    assert ids(backend, "ＤＡ／Ｔ") == [5]
    assert ids(backend, "da/t") == [5]


def test_phrases_are_exact_substrings_not_scattered_characters(backend):
    backend.replace([1, 2], [doc(1, "档 案 管 理"), doc(2, "档案管理")])
    assert ids(backend, "档案管理") == [2]
    assert ids(backend, "案管") == [2]
    assert sorted(ids(backend, "管")) == [1, 2]


def test_boolean_operators_and_field_filters(backend):
    backend.replace([d.item_id for d in CORPUS], CORPUS)
    assert sorted(ids(backend, "通知 档案")) == [1, 3]
    assert sorted(ids(backend, "四性 OR 竣工")) == [1, 6]
    assert sorted(ids(backend, "通知 -档案")) == [5]
    assert sorted(ids(backend, "通知 NOT (任职 OR 四性)")) == [5]
    assert sorted(ids(backend, "题名:档案")) == [1, 2]
    assert ids(backend, "NOT 通知 NOT 档案") == [6]
    fielded = [
        doc(10, "请示", responsible="欧阳翠花", docno="县档发〔2011〕5号"),
        doc(11, "欧阳翠花的请示", responsible="县档案局", docno="县档发〔2011〕6号"),
    ]
    backend.replace([10, 11], fielded)
    assert ids(backend, "责任者:欧阳翠花") == [10]
    assert ids(backend, "文号:〔2011〕6号") == [11]
    assert ids(backend, "档号:J001-WS·2011-Y-0010") == [10]
    assert sorted(ids(backend, "欧阳翠花")) == [3, 10, 11]


def test_title_outranks_body(backend):
    backend.replace([1, 2], [doc(1, "工作总结", "关于档案移交的说明"), doc(2, "档案移交清单", "工作总结")])
    assert ids(backend, "档案移交")[0] == 2
    assert ids(backend, "工作总结")[0] == 1


def test_scope_is_applied_inside_the_query_with_no_leaks(backend):
    docs = [
        doc(1, "档案甲", fonds_id=1),
        doc(2, "档案乙", fonds_id=2),
        doc(3, "档案丙", security_level=2),
        doc(4, "档案丁", open_status="controlled"),
        doc(5, "档案戊"),
    ]
    backend.replace([1, 2, 3, 4, 5], docs)
    reader = Scope(fonds_ids=frozenset({1}), max_security=0, open_only=True)
    assert sorted(ids(backend, "档案", reader)) == [1, 5]
    result = backend.search(SearchRequest(query=parse("档案"), scope=reader))
    assert result.total == 2
    assert dict(result.facets["fonds"]) == {"1": 2}
    staff = Scope(
        fonds_ids=frozenset({1, 2}), max_security=1, open_only=False, exclude_item_ids=frozenset({5})
    )
    assert sorted(ids(backend, "档案", staff)) == [1, 2, 4]
    assert sorted(ids(backend, "", staff)) == [1, 2, 4]
    nobody = Scope(fonds_ids=frozenset(), max_security=4, open_only=False)
    assert ids(backend, "档案", nobody) == []
    assert ids(backend, "NOT 甲", nobody) == []


def test_facets_filters_dates_and_sorting(backend):
    docs = [
        doc(1, "档案一", year=2010, date=20100101, category="WS", retention="Y", archival_code="B-2"),
        doc(2, "档案二", year=2011, date=20110601, category="ZP", retention="D30", archival_code="B-1"),
        doc(3, "档案三", year=2011, date=20111231, category="WS", retention="D30", archival_code="A-9"),
        doc(4, "照片", year=2012, date=None, category="ZP", retention="D10", archival_code="C-1"),
    ]
    backend.replace([1, 2, 3, 4], docs)
    result = backend.search(SearchRequest(query=parse("档案"), scope=ALL))
    assert result.total == 3
    assert dict(result.facets["year"]) == {"2010": 1, "2011": 2}
    assert dict(result.facets["category"]) == {"WS": 2, "ZP": 1}
    assert dict(result.facets["retention"]) == {"Y": 1, "D30": 2}
    assert dict(result.facets["open_status"]) == {"open": 3}
    assert dict(result.facets["security_level"]) == {"0": 3}
    assert sorted(ids(backend, "档案", filters=Filters(categories=("WS",)))) == [1, 3]
    assert sorted(ids(backend, "档案", filters=Filters(year_from=2011, year_to=2011))) == [2, 3]
    assert sorted(ids(backend, "档案", filters=Filters(date_from=20110101, date_to=20110630))) == [2]
    assert sorted(ids(backend, "", filters=Filters(retentions=("D10",)))) == [4]
    assert ids(backend, "档案", sort="date") == [1, 2, 3]
    assert ids(backend, "档案", sort="-date") == [3, 2, 1]
    assert ids(backend, "档案", sort="code") == [3, 2, 1]
    assert ids(backend, "") == [3, 2, 1, 4]
    paged = backend.search(SearchRequest(query=parse("档案"), scope=ALL, sort="code", offset=1, limit=1))
    assert [h.item_id for h in paged.hits] == [2] and paged.total == 3


def test_replace_removes_old_documents_and_keeps_pages(backend):
    backend.replace([1], [doc(1, "旧题名"), doc(1, "", "第二页正文里的会计凭证", page=2)])
    hits = backend.search(SearchRequest(query=parse("会计凭证"), scope=ALL)).hits
    assert [(h.item_id, h.page) for h in hits] == [(1, 2)]
    backend.replace([1], [doc(1, "新题名")])
    assert ids(backend, "旧题名") == []
    assert ids(backend, "会计凭证") == []
    assert ids(backend, "新题名") == [1]
    assert backend.count() == 1
    backend.replace([1], [])
    assert backend.count() == 0
    backend.replace([2, 3], [doc(2, "甲"), doc(3, "乙")])
    backend.clear()
    assert backend.count() == 0


def test_rebuild_swaps_in_a_whole_new_index(backend):
    backend.replace([1], [doc(1, "旧的文件")])
    assert backend.rebuild([[doc(7, "甲文件")], [doc(8, "乙文件"), doc(8, "", "乙的第一页", page=1)]]) == 3
    assert ids(backend, "旧的") == []
    assert sorted(ids(backend, "文件")) == [7, 8]
    assert backend.count() == 3
