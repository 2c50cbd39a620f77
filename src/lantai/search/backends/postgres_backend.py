"""The scaled backend: PostgreSQL full-text search in the system database (every node shares it).

The analyzer's tokens are written as tsvector literals ('档':1A '档案':2A …), so PostgreSQL's
parser never splits Chinese and both backends index the very same terms. A query term is a
tsquery phrase ('档案' <2> '案管' …) restricted by weight for field filters (题名 A, 责任者 B)
or run against its own column (文号 ``tsv_docno``, 档号 ``tsv_code``); the scope is part of
the WHERE clause. SQL text is assembled only from constant fragments (column names,
operators); every value, tsquery included, is a bound parameter. Limits of tsvector:
positions stop at 16383 (later text still matches single terms but not phrases) and a
lexeme keeps at most 256 positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from lantai.search.analysis import analyze, grams
from lantai.search.backends.base import FACETS, Filters, Hit, Scope, SearchDoc, SearchRequest, SearchResult
from lantai.search.query import And, Node, Not, Or, Term, is_negative

MAX_POS = 16383
FIELD_GAP = 8  # positions between fields, so no phrase spans two fields
WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"  # D (body), C (numbers, codes), B (responsible), A (title)
_FACET_COLUMN = {
    "fonds": "fonds_id",
    "category": "category",
    "year": "year",
    "retention": "retention",
    "open_status": "open_status",
    "security_level": "security_level",
}
_COLUMNS = (
    "item_id, page, fonds_id, category, year, retention, open_status, security_level, date, code_sort, "
    "tsv, tsw, tsv_docno, tsv_code"
)


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(parts: Iterable[tuple[str, str]]) -> str:
    """A tsvector literal from (tokens, weight) parts, positions running on across parts."""
    out: list[str] = []
    pos = 0
    for tokens, weight in parts:
        for token in tokens.split():
            pos += 1
            out.append(f"{_lexeme(token)}:{min(pos, MAX_POS)}{weight}")
        pos += FIELD_GAP
    return " ".join(out)


def row(doc: SearchDoc) -> tuple[Any, ...]:
    title = analyze(doc.title)
    body = analyze(doc.body)
    code = grams(doc.archival_code)
    docno = grams(doc.docno)
    return (
        doc.item_id,
        doc.page,
        doc.fonds_id,
        doc.category,
        doc.year,
        doc.retention,
        doc.open_status,
        doc.security_level,
        doc.date,
        doc.archival_code or "\uffff",
        vector(
            [(title.grams, "A"), (grams(doc.responsible), "B"), (docno, "C"), (code, "C"), (body.grams, "D")]
        ),
        vector([(title.words, "A"), (body.words, "D")]),
        vector([(docno, "D")]),
        vector([(code, "D")]),
    )


def _phrase(term: Term, weight: str) -> str:
    parts: list[str] = []
    previous = None
    for offset, token in term.phrase.terms:
        if previous is not None:
            parts.append(f"<{offset - previous}>")
        parts.append(f"{_lexeme(token)}{':' + weight if weight else ''}")
        previous = offset
    return " ".join(parts)


class PostgresBackend:
    name = "postgres"

    def __init__(self) -> None:
        if connection.vendor != "postgresql":
            from lantai.search.backends import BackendUnavailable

            raise BackendUnavailable(name=self.name, reason=_("the database is not PostgreSQL"))

    # --- writing ---------------------------------------------------------------------

    def replace(self, item_ids: Sequence[int], docs: Sequence[SearchDoc]) -> None:
        rows = [row(d) for d in docs]
        placeholders = (
            "(" + ", ".join(["%s"] * 10) + ", %s::tsvector, %s::tsvector, %s::tsvector, %s::tsvector)"
        )
        with transaction.atomic(), connection.cursor() as cur:
            if item_ids:
                cur.execute("DELETE FROM search_pgdocument WHERE item_id = ANY(%s)", [list(item_ids)])
            if rows:
                cur.executemany(f"INSERT INTO search_pgdocument ({_COLUMNS}) VALUES {placeholders}", rows)  # noqa: S608

    def rebuild(self, batches: Iterable[Sequence[SearchDoc]]) -> int:
        count = 0
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM search_pgdocument")
            copy_sql = f"COPY search_pgdocument ({_COLUMNS}) FROM STDIN"
            # One COPY per batch: the batches may come from queries on this same connection,
            # which must not run while a COPY holds it.
            for batch in batches:
                rows = [row(doc) for doc in batch]
                with cur.cursor.copy(copy_sql) as copy:
                    for values in rows:
                        copy.write_row(values)
                count += len(rows)
        return count

    def clear(self) -> None:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM search_pgdocument")

    def count(self) -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM search_pgdocument")
            return int(cur.fetchone()[0])

    # --- querying ----------------------------------------------------------------------

    def _term_sql(self, term: Term, params: list[Any]) -> str:
        column, weight = {
            None: ("tsv", ""),
            "title": ("tsv", "A"),
            "responsible": ("tsv", "B"),
            "docno": ("tsv_docno", ""),
            "code": ("tsv_code", ""),
        }[term.field]
        params.append(_phrase(term, weight))
        return f"{column} @@ %s::tsquery"

    def _node_sql(self, node: Node, params: list[Any]) -> str:
        if isinstance(node, Term):
            return self._term_sql(node, params)
        if isinstance(node, Not):
            return f"NOT ({self._node_sql(node.child, params)})"
        joiner = " OR " if isinstance(node, Or) else " AND "
        assert isinstance(node, And | Or)
        return "(" + joiner.join(self._node_sql(c, params) for c in node.children) + ")"

    def _where(self, request: SearchRequest) -> tuple[str, list[Any]]:
        scope: Scope = request.scope
        f: Filters = request.filters
        clauses: list[str] = ["security_level <= %s"]
        params: list[Any] = [scope.max_security]
        if scope.fonds_ids is not None:
            clauses.append("fonds_id = ANY(%s)")
            params.append(sorted(scope.fonds_ids))
        if scope.open_only:
            clauses.append("open_status = 'open'")
        if scope.exclude_item_ids:
            clauses.append("NOT (item_id = ANY(%s))")
            params.append(sorted(scope.exclude_item_ids))
        for column, values in (
            ("fonds_id", list(f.fonds_ids)),
            ("category", list(f.categories)),
            ("retention", list(f.retentions)),
            ("open_status", list(f.open_statuses)),
            ("security_level", list(f.security_levels)),
        ):
            if values:
                clauses.append(f"{column} = ANY(%s)")
                params.append(values)
        for column, low, high in (("year", f.year_from, f.year_to), ("date", f.date_from, f.date_to)):
            if low is not None:
                clauses.append(f"{column} >= %s")
                params.append(low)
            if high is not None:
                clauses.append(f"{column} <= %s")
                params.append(high)
        if request.query is not None:
            clauses.append(self._node_sql(request.query, params))
        return " AND ".join(clauses), params

    def _rank_sql(self, node: Node | None, params: list[Any]) -> str:
        from lantai.search.analysis import fold, word_tokens
        from lantai.search.query import terms_of

        if node is None or is_negative(node):
            return "0"
        terms = [t for t in terms_of(node) if t.field in (None, "title")]
        if not terms:
            return "0"
        gram_q = " | ".join(f"({_phrase(t, 'A' if t.field == 'title' else '')})" for t in terms)
        words = sorted({w for t in terms for w in word_tokens(fold(t.text))})
        params.append(gram_q)
        rank = f"ts_rank('{WEIGHTS}', tsv, %s::tsquery)"
        if words:
            params.append(" | ".join(_lexeme(w) for w in words))
            rank += f" + 0.5 * ts_rank('{WEIGHTS}', tsw, %s::tsquery)"
        return rank

    def search(self, request: SearchRequest) -> SearchResult:
        where, where_params = self._where(request)
        rank_params: list[Any] = []
        if request.sort == "date":
            order, rank = "COALESCE(date, 0) ASC, item_id", "0"
        elif request.sort == "-date":
            order, rank = "COALESCE(date, 0) DESC, item_id", "0"
        elif request.sort == "code" or request.query is None:
            order, rank = "code_sort ASC, item_id", "0"
        else:
            rank = self._rank_sql(request.query, rank_params)
            order = "score DESC, item_id"
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT item_id, page, {rank} AS score FROM search_pgdocument WHERE {where} "  # noqa: S608
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*rank_params, *where_params, request.limit, request.offset],
            )
            hits = [Hit(item_id=r[0], page=r[1], score=float(r[2])) for r in cur.fetchall()]
            facets: dict[str, list[tuple[str, int]]] = {}
            if request.facets:
                sets = ", ".join(f"({_FACET_COLUMN[f]})" for f in FACETS)
                cols = ", ".join(_FACET_COLUMN[f] for f in FACETS)
                cur.execute(
                    f"SELECT {cols}, GROUPING({cols}), count(*) FROM search_pgdocument WHERE {where} "  # noqa: S608
                    f"GROUP BY GROUPING SETS ({sets}) ORDER BY count(*) DESC",
                    where_params,
                )
                facets = {f: [] for f in FACETS}
                total = 0
                for r in cur.fetchall():
                    mask, count = r[len(FACETS)], int(r[len(FACETS) + 1])
                    # GROUPING() sets a bit for every column *not* grouped; the one clear bit names the set
                    for i, name in enumerate(FACETS):
                        if not mask & (1 << (len(FACETS) - 1 - i)):
                            if name == "fonds":
                                total += count
                            if r[i] is not None:
                                facets[name].append((str(r[i]), count))
            else:
                cur.execute(f"SELECT count(*) FROM search_pgdocument WHERE {where}", where_params)  # noqa: S608
                total = int(cur.fetchone()[0])
        return SearchResult(total=total, hits=hits, facets=facets)
