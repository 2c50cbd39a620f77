"""The analyzer and the query language: folding, gram streams, phrase offsets, bounds."""

from __future__ import annotations

import resource

import pytest

from lantai.search.analysis import MAX_LATIN, analyze, fold, gram_phrase, grams, word_tokens, words
from lantai.search.query import And, Not, Or, QueryInvalid, Term, parse


def test_fold_width_traditional_and_case():
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("檔案館會議紀要") == "档案馆会议纪要"
    assert fold("偽造") == "伪造"  # a Taiwan variant via standard traditional
    assert fold("著作") == "著作"  # simplified 著 is left alone
    assert fold("DA/T 22") == "da/t 22"


def test_grams_interleave_characters_and_pairs_per_run():
    assert grams("档案馆") == "档 档案 案 案馆 馆"
    assert grams("檔案，abc 2011年") == "档 档案 案 abc 2011 年"
    assert grams("") == ""


def test_gram_phrase_offsets_match_the_index_stream():
    assert gram_phrase("档").terms == ((0, "档"),)
    assert gram_phrase("档案").terms == ((1, "档案"),)
    assert gram_phrase("四性检测").terms == ((1, "四性"), (3, "性检"), (5, "检测"))
    assert gram_phrase("2011年度").terms == ((0, "2011"), (2, "年度"))
    assert gram_phrase("会议 纪要") == gram_phrase("会议纪要")
    assert gram_phrase("·—").terms == ()


def test_domain_dictionary_words_are_kept_whole():
    assert "四性检测" in word_tokens(fold("开展四性检测"))
    assert "归档文件整理" in words("归档文件整理规则").split()
    assert "档号" in words("檔號").split()


def test_a_three_megabyte_document_of_one_character_is_bounded():
    text = "档" * 1_000_000  # 3 MB in UTF-8
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = analyze(text)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # peak RSS growth
    assert result.grams.count(" ") == 2 * len(text) - 2
    assert len(result.words.split()) <= 100_000
    assert grown_kib < 500 * 1024


def test_a_megabyte_without_spaces_is_bounded():
    latin = analyze("x" * 1_000_000)
    assert latin.grams == "x" * MAX_LATIN
    mixed = analyze("档案管理信息化建设" * 37_000)
    assert mixed.grams.startswith("档 档案 案 案管 管")
    assert len(mixed.words.split()) <= 100_000


def test_query_language():
    q = parse("四性检测 OR 归档 -销毁")
    assert isinstance(q, Or)
    assert isinstance(q.children[1], And) and isinstance(q.children[1].children[1], Not)
    fielded = parse("题名：“会议 纪要” 档号:Z109-WS·2011")
    assert isinstance(fielded, And)
    first, second = fielded.children
    assert isinstance(first, Term) and first.field == "title" and first.text == "会议 纪要"
    assert isinstance(second, Term) and second.field == "code"
    assert parse("") is None and parse("·") is None
    assert parse("Z109-WS") == Term("Z109-WS", None, gram_phrase("Z109-WS"))
    for bad in ["(档案", "档案)", "题名:", "NOT"]:
        with pytest.raises(QueryInvalid):
            parse(bad)
