"""The embedded backend: one tantivy index folder under LANTAI_DATA_DIR.

Text fields hold the analyzer's pre-tokenised streams (whitespace tokenizer), so tantivy
never segments Chinese itself. tantivy allows one writer per index: writes take a file
lock (fcntl) plus a process lock, so worker threads and worker processes queue up instead
of failing; searchers reload when ``meta.json`` changes (another process committed).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from lantai.search.backends.base import (
    FACETS,
    TEXT_FIELDS,
    Filters,
    Hit,
    Scope,
    SearchDoc,
    SearchRequest,
    SearchResult,
)
from lantai.search.query import And, Node, Not, Or, Term, is_negative

SCHEMA_VERSION = "v1"
MAX_SECURITY = 4  # 绝密: a scope reaching it needs no classification clause
# title above the identifying fields above the body; the jieba word fields add ranking only
BOOST = {"title": 4.0, "responsible": 2.0, "docno": 2.0, "code": 2.0, "body": 1.0}
WORD_BOOST = {"title_w": 2.0, "body_w": 0.5}
_FACET_FIELD = {
    "fonds": "fonds_id",
    "category": "category",
    "year": "year",
    "retention": "retention",
    "open_status": "open_status",
    "security_level": "security_level",
}
Occur = tantivy.Occur


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in ("item_id", "page"):
        sb.add_integer_field(name, stored=True, indexed=True, fast=True)
    for name in ("fonds_id", "year", "security_level", "date"):
        sb.add_integer_field(name, indexed=True, fast=True)
    for name in ("category", "retention", "open_status", "code_sort"):
        sb.add_text_field(name, fast=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace")
    for name in WORD_BOOST:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    return sb.build()


def to_document(doc: SearchDoc) -> tantivy.Document:
    from lantai.search.analysis import analyze, grams

    title = analyze(doc.title)
    body = analyze(doc.body)
    return tantivy.Document(
        item_id=doc.item_id,
        page=doc.page,
        fonds_id=doc.fonds_id,
        year=doc.year or 0,
        security_level=doc.security_level,
        date=doc.date or 0,
        category=doc.category,
        retention=doc.retention,
        open_status=doc.open_status,
        code_sort=doc.archival_code or "\uffff",  # items without a code sort last
        title=title.grams,
        responsible=grams(doc.responsible),
        docno=grams(doc.docno),
        code=grams(doc.archival_code),
        body=body.grams,
        title_w=title.words,
        body_w=body.words,
    )


class TantivyBackend:
    name = "tantivy"

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / f"tantivy-{SCHEMA_VERSION}"
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._write_lock = threading.Lock()
        self._meta_mtime = 0.0

    # --- writing ---------------------------------------------------------------------

    @contextmanager
    def writer(self, heap_size: int = 128_000_000, threads: int = 1) -> Iterator[Any]:
        """The index writer under the process and file locks; committed on success."""
        with self._write_lock, open(self.path / ".lantai-writer.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                w = self.index.writer(heap_size=heap_size, num_threads=threads)
                try:
                    yield w
                    w.commit()
                except BaseException:
                    w.rollback()
                    raise
                finally:
                    w.wait_merging_threads()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        self._reload(force=True)

    def replace(self, item_ids: Sequence[int], docs: Sequence[SearchDoc]) -> None:
        prepared = [to_document(d) for d in docs]  # analyse before taking the lock
        with self.writer(heap_size=32_000_000) as w:
            for item_id in item_ids:
                w.delete_documents_by_term("item_id", item_id)
            for document in prepared:
                w.add_document(document)

    def rebuild(self, batches: Iterable[Sequence[SearchDoc]]) -> int:
        count = 0
        with self.writer(heap_size=256_000_000, threads=2) as w:
            w.delete_all_documents()
            for batch in batches:
                for doc in batch:
                    w.add_document(to_document(doc))
                count += len(batch)
        return count

    def clear(self) -> None:
        with self.writer(heap_size=32_000_000) as w:
            w.delete_all_documents()

    def count(self) -> int:
        self._reload()
        return int(self.index.searcher().num_docs)

    def _reload(self, force: bool = False) -> None:
        try:
            mtime = os.stat(self.path / "meta.json").st_mtime
        except FileNotFoundError:
            return
        if force or mtime != self._meta_mtime:
            self._meta_mtime = mtime
            self.index.reload()

    # --- querying ----------------------------------------------------------------------

    def _phrase(self, field: str, term: Term) -> tantivy.Query:
        terms = term.phrase.terms
        if len(terms) == 1:
            return tantivy.Query.term_query(self.schema, field, terms[0][1])
        return tantivy.Query.phrase_query(self.schema, field, [(pos, t) for pos, t in terms])

    def _term(self, term: Term) -> tantivy.Query:
        fields = [term.field] if term.field else list(TEXT_FIELDS)
        match = [(Occur.Should, tantivy.Query.boost_query(self._phrase(f, term), BOOST[f])) for f in fields]
        matched = match[0][1] if len(match) == 1 else tantivy.Query.boolean_query(match)
        if term.field not in (None, "title"):
            return matched
        from lantai.search.analysis import fold, word_tokens

        words = word_tokens(fold(term.text))
        ranking = [
            (Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, f, w), boost))
            for f, boost in WORD_BOOST.items()
            if term.field is None or f == "title_w"
            for w in words
        ]
        if not ranking:
            return matched
        return tantivy.Query.boolean_query([(Occur.Must, matched), *ranking])

    def _node(self, node: Node) -> tantivy.Query:
        if isinstance(node, Term):
            return self._term(node)
        if isinstance(node, Not):
            return tantivy.Query.boolean_query(
                [(Occur.Must, tantivy.Query.all_query()), (Occur.MustNot, self._node(node.child))]
            )
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(Occur.Should, self._node(c)) for c in node.children])
        assert isinstance(node, And)
        clauses = []
        for child in node.children:
            if isinstance(child, Not):
                clauses.append((Occur.MustNot, self._node(child.child)))
            else:
                clauses.append((Occur.Must, self._node(child)))
        if all(o == Occur.MustNot for o, _ in clauses):
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _int_range(self, field: str, low: int | None, high: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field, tantivy.FieldType.Integer, low, high)

    def _filters(self, scope: Scope, filters: Filters) -> list[tuple[Any, tantivy.Query]]:
        q = tantivy.Query
        out: list[tuple[Any, tantivy.Query]] = []
        if scope.fonds_ids is not None:
            out.append((Occur.Must, q.term_set_query(self.schema, "fonds_id", sorted(scope.fonds_ids))))
        if scope.max_security < MAX_SECURITY:
            # a term set over the few levels walks posting lists; a range would scan the column
            levels = list(range(0, scope.max_security + 1))
            out.append((Occur.Must, q.term_set_query(self.schema, "security_level", levels)))
        if scope.open_only:
            out.append((Occur.Must, q.term_query(self.schema, "open_status", "open")))
        if scope.exclude_item_ids:
            out.append(
                (Occur.MustNot, q.term_set_query(self.schema, "item_id", sorted(scope.exclude_item_ids)))
            )
        for field, values in (
            ("fonds_id", filters.fonds_ids),
            ("category", filters.categories),
            ("retention", filters.retentions),
            ("open_status", filters.open_statuses),
            ("security_level", filters.security_levels),
        ):
            if values:
                out.append((Occur.Must, q.term_set_query(self.schema, field, list(values))))
        if filters.year_from is not None or filters.year_to is not None:
            out.append((Occur.Must, self._int_range("year", filters.year_from or 1, filters.year_to)))
        if filters.date_from is not None or filters.date_to is not None:
            out.append((Occur.Must, self._int_range("date", filters.date_from or 1, filters.date_to)))
        return out

    def build_query(self, request: SearchRequest) -> tantivy.Query:
        # The scope and the filters score nothing: only the text clause ranks.
        clauses = [
            (occur, tantivy.Query.const_score_query(c, 0.0))
            for occur, c in self._filters(request.scope, request.filters)
        ]
        if request.query is None or is_negative(request.query):
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        if request.query is not None:
            clauses.append((Occur.Must, self._node(request.query)))
        return tantivy.Query.boolean_query(clauses)

    def search(self, request: SearchRequest) -> SearchResult:
        self._reload()
        query = self.build_query(request)
        searcher = self.index.searcher()
        kwargs: dict[str, Any] = {"limit": request.limit, "offset": request.offset, "count": True}
        if request.sort in ("date", "-date"):
            kwargs["order_by_field"] = "date"
            kwargs["order"] = tantivy.Order.Asc if request.sort == "date" else tantivy.Order.Desc
        elif request.sort == "code" or request.query is None:
            kwargs["order_by_field"] = "code_sort"
            kwargs["order"] = tantivy.Order.Asc
        result = searcher.search(query, **kwargs)
        addresses = [address for _, address in result.hits]
        # fast-field columns, not the stored-document blocks (which decompress per hit)
        item_ids = searcher.fast_field_values("item_id", addresses)
        pages = searcher.fast_field_values("page", addresses)
        ranked = "order_by_field" not in kwargs
        hits = [
            Hit(item_id=int(item_id or 0), page=int(page or 0), score=float(key) if ranked else 0.0)
            for (key, _), item_id, page in zip(result.hits, item_ids, pages, strict=True)
        ]
        facets = self._facets(searcher, query) if request.facets else {}
        count = getattr(result, "count", None)  # present because count=True (missing from the stubs)
        return SearchResult(total=int(count or 0), hits=hits, facets=facets)

    def _facets(self, searcher: Any, query: tantivy.Query) -> dict[str, list[tuple[str, int]]]:
        spec = {name: {"terms": {"field": _FACET_FIELD[name], "size": 200}} for name in FACETS}
        aggs = searcher.aggregate(query, spec)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACETS:
            buckets = aggs.get(name, {}).get("buckets", [])
            values = [(_key(b["key"]), int(b["doc_count"])) for b in buckets]
            out[name] = [(k, c) for k, c in values if k not in ("0", "")] if name == "year" else values
        return out


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
