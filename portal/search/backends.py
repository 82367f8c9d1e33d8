"""Running a checked query against the index: PostgreSQL full text or SQLite FTS5, one results API.

Each search is two statements whatever the page or the catalog size: the page of hits (with
their rank) and the facet counts (which also give the total).

Ranking, both databases: an exact name or title match first; then the full-text score, where
title and name weigh most, keywords (tags, owner, kind, headings) next, text least; then title.
PostgreSQL scores with ``ts_rank`` over the weighted ``search_vector`` and also finds near
spellings of the whole term in title and name (``pg_trgm`` word similarity, index-backed);
SQLite scores with ``bm25`` (weights 10, 4, 1). Every word is matched as a prefix (from two
letters), so results appear while typing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from .query import SearchQuery

FACET_FIELDS = ("type", "kind", "owner", "lifecycle")
TRIGRAM_MIN_LENGTH = 3
_COLUMNS = (
    "id",
    "type",
    "source_ref",
    "location",
    "title",
    "name",
    "kind",
    "namespace",
    "owner",
    "lifecycle",
    "entity_type",
    "extra",
)
# Enough text for a snippet without reading whole pages.
SNIPPET_SOURCE_CHARS = 5000


@dataclass
class SearchHit:
    """One result row, with its rank score (higher is better)."""

    id: int
    type: str
    source_ref: str
    location: str
    title: str
    name: str
    kind: str
    namespace: str
    owner: str
    lifecycle: str
    entity_type: str
    extra: dict[str, Any]
    text: str
    score: float


@dataclass
class SearchPage:
    """A page of hits, the total number of matches, and facet value counts."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _prefix_word(word: str) -> bool:
    # A one-letter prefix matches nearly everything: only whole one-letter words are looked for.
    return len(word) > 1


class Backend:
    """Shared SQL assembly; subclasses supply the full-text match and score."""

    def match(self, query: SearchQuery) -> tuple[str, list[Any], str, list[Any], str, list[Any]]:
        """``(from_sql, from_params, score_sql, score_params, where_sql, where_params)``."""
        raise NotImplementedError

    def _filters(self, query: SearchQuery) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.types:
            clauses.append(f"d.type IN ({', '.join(['%s'] * len(query.types))})")
            params += query.types
        for column, values in sorted(query.filters.items()):
            # Column names come from query.FILTER_FIELDS, never from the request.
            target = "lower(d.kind)" if column == "kind" else f"d.{column}"
            clauses.append(f"{target} IN ({', '.join(['%s'] * len(values))})")
            params += values
        return clauses, params

    def _parts(self, query: SearchQuery) -> tuple[str, list[Any], str, list[Any], str, list[Any]]:
        clauses, params = self._filters(query)
        if query.words:
            from_sql, from_params, score_sql, score_params, where_sql, where_params = self.match(query)
            clauses.insert(0, where_sql)
            params = [*where_params, *params]
            exact_sql = "CASE WHEN lower(d.name) = %s OR lower(d.title) = %s THEN 1 ELSE 0 END"
            score_sql = f"{exact_sql} AS exact, {score_sql} AS score"
            score_params = [query.phrase, query.phrase, *score_params]
        else:
            from_sql, from_params = "portal_searchdocument AS d", []
            score_sql, score_params = "0 AS exact, 0.0 AS score", []
        where = " AND ".join(clauses) or "1 = 1"
        return from_sql, from_params, score_sql, score_params, where, params

    def search(self, query: SearchQuery, *, offset: int, limit: int, facets: bool = True) -> SearchPage:
        """One page of results; ``facets=False`` skips the counts (``total`` is then the page's length)."""
        if query.is_blank_text:
            return SearchPage(hits=[], total=0, facets={name: [] for name in FACET_FIELDS} if facets else {})
        from_sql, from_params, score_sql, score_params, where, where_params = self._parts(query)
        columns = ", ".join(f"d.{column}" for column in _COLUMNS)
        order = "exact DESC, score DESC, {t}.title, {t}.id" if query.words else "{t}.type, {t}.title, {t}.id"
        # Every match is scored, but only the page's rows are read whole: the snippet's text, the
        # keywords and extras of thousands of matches would otherwise be read and thrown away.
        sql = (
            f"WITH ranked AS (SELECT d.id, d.type, d.title, {score_sql} FROM {from_sql} WHERE {where} "
            f"ORDER BY {order.format(t='d')} LIMIT %s OFFSET %s) "
            f"SELECT {columns}, substr(d.text, 1, {SNIPPET_SOURCE_CHARS}), r.exact, r.score "
            f"FROM ranked AS r JOIN portal_searchdocument AS d ON d.id = r.id ORDER BY {order.format(t='r')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*score_params, *from_params, *where_params, limit, offset])
            hits = [self._hit(row) for row in cursor.fetchall()]
            if not facets:
                return SearchPage(hits=hits, total=len(hits))
            counts = self._facets(cursor, from_sql, [*from_params, *where_params], where)
        total = sum(count for _, count in counts["type"])
        return SearchPage(hits=hits, total=total, facets=counts)

    def _facets(self, cursor, from_sql: str, params: list[Any], where: str) -> dict[str, list[tuple[str, int]]]:
        selects = " UNION ALL ".join(
            f"SELECT '{name}', {name}, count(*) FROM hits WHERE {name} <> '' GROUP BY {name}" for name in FACET_FIELDS
        )
        cursor.execute(
            f"WITH hits AS (SELECT d.type, d.kind, d.owner, d.lifecycle FROM {from_sql} WHERE {where}) {selects}",
            params,
        )
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_FIELDS}
        for name, value, count in cursor.fetchall():
            counts[name].append((value, count))
        for values in counts.values():
            values.sort(key=lambda item: (-item[1], item[0]))
        return counts

    @staticmethod
    def _hit(row: tuple) -> SearchHit:
        values = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
        extra = values.pop("extra")
        text, _exact, score = row[len(_COLUMNS) :]
        return SearchHit(
            **values,
            extra=json.loads(extra) if isinstance(extra, str) else (extra or {}),
            text=text or "",
            score=float(score or 0),
        )


class PostgresBackend(Backend):
    """``tsvector`` ranking with prefix words, plus trigram word similarity for typos."""

    def match(self, query: SearchQuery) -> tuple[str, list[Any], str, list[Any], str, list[Any]]:
        # Words are letters and digits only (query.words_of), quoted as lexemes all the same.
        tsquery = " & ".join(f"'{word}':*" if _prefix_word(word) else f"'{word}'" for word in query.words)
        from_sql = "portal_searchdocument AS d CROSS JOIN to_tsquery('simple', %s) AS q"
        # Rows the words match are ranked by ts_rank; rows found only as near spellings (typos) by
        # their similarity, scaled below: word_similarity is costly, so matching rows skip it.
        score_sql = (
            "CASE WHEN d.search_vector @@ q THEN ts_rank(d.search_vector, q) "
            "ELSE 0.1 * word_similarity(%s, d.title || ' ' || d.name) END"
        )
        where_sql = "d.search_vector @@ q"
        where_params: list[Any] = []
        if len(query.phrase) >= TRIGRAM_MIN_LENGTH:
            where_sql = f"({where_sql} OR %s <%% (d.title || ' ' || d.name))"
            where_params = [query.phrase]
        return from_sql, [tsquery], score_sql, [query.phrase], where_sql, where_params

    def search(self, query: SearchQuery, *, offset: int, limit: int, facets: bool = True) -> SearchPage:
        """The page and the facet counts from one scan of the matches (PostgreSQL materialises them once)."""
        if not facets or not query.words or query.is_blank_text:
            return super().search(query, offset=offset, limit=limit, facets=facets)
        from_sql, from_params, score_sql, score_params, where, where_params = self._parts(query)
        columns = ", ".join(f"d.{column}" for column in _COLUMNS)
        counts_sql = " UNION ALL ".join(
            f"SELECT '{name}' AS facet, {name} AS value, count(*) AS n FROM m WHERE {name} <> '' GROUP BY {name}"
            for name in FACET_FIELDS
        )
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.id, d.type, d.title, d.kind, d.owner, d.lifecycle, {score_sql} "
            f"FROM {from_sql} WHERE {where}), "
            "page AS (SELECT id, title, exact, score FROM m "
            "ORDER BY exact DESC, score DESC, title, id LIMIT %s OFFSET %s), "
            "f AS (SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)::text AS counts "
            f"FROM ({counts_sql}) c) "
            f"SELECT f.counts, {columns}, substr(d.text, 1, {SNIPPET_SOURCE_CHARS}), p.exact, p.score "
            "FROM f LEFT JOIN (page AS p JOIN portal_searchdocument AS d ON d.id = p.id) ON true "
            "ORDER BY p.exact DESC, p.score DESC, p.title, p.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*score_params, *from_params, *where_params, limit, offset])
            rows = cursor.fetchall()
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_FIELDS}
        for name, value, count in json.loads(rows[0][0]):
            counts[name].append((value, count))
        for values in counts.values():
            values.sort(key=lambda item: (-item[1], item[0]))
        hits = [self._hit(row[1:]) for row in rows if row[1] is not None]
        return SearchPage(hits=hits, total=sum(count for _, count in counts["type"]), facets=counts)


class SqliteBackend(Backend):
    """FTS5 with ``bm25`` ranking and prefix words (no typo tolerance)."""

    def match(self, query: SearchQuery) -> tuple[str, list[Any], str, list[Any], str, list[Any]]:
        # Each word becomes an FTS5 string ("..."), so AND, OR, NOT, NEAR, * and ^ are plain text.
        expression = " ".join(f'"{word}"*' if _prefix_word(word) else f'"{word}"' for word in query.words)
        # FTS5's functions and MATCH need the table's own name, not an alias.
        fts = "portal_searchdocument_fts"
        from_sql = f"{fts} JOIN portal_searchdocument AS d ON d.id = {fts}.rowid"
        return from_sql, [], f"-bm25({fts}, 10.0, 4.0, 1.0)", [], f"{fts} MATCH %s", [expression]


def get_backend() -> Backend:
    """The backend for the default database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
