"""Running a checked query against the index: PostgreSQL full text or SQLite FTS5, one results API.

Ranking, both databases, in groups: first an exact name or title match; then rows with every word
in their title or name; then the other word matches; last near spellings. On PostgreSQL these
are titles and names near the whole text (pg_trgm); on SQLite, a word no indexed term matches is
searched as the indexed terms nearest to it (``portal.search.spelling``), title matches first.
Within a group, the full-text score, where title and name weigh most, keywords (tags, owner,
kind, headings) next, text least; then title. PostgreSQL scores with ``ts_rank`` over the
weighted ``search_vector`` and finds near spellings of the whole term in title and name
(``pg_trgm`` word similarity, index-backed); SQLite scores with ``bm25`` (weights 10, 4, 1).
Every word is matched as a prefix (from two letters), so results appear while typing.

``Backend.search`` ranks every match in one statement and counts them in a second: simple, and
quick on a small index. PostgreSQL reads the groups one at a time and stops once a page is full,
and estimates counts over many matches (``portal.search.postgres``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, transaction

from . import postgres, spelling
from .facets import FACET_FIELDS, FacetCounts, count_facets, total_of
from .query import SearchQuery, is_prefix_word, words_of

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
    """A page of hits, the number of matches and facet value counts.

    ``is_estimate``: ``total`` and the facet counts are estimated (PostgreSQL, broad searches).
    ``has_more``: another page follows, whatever the total says.
    """

    hits: list[SearchHit]
    total: int
    facets: FacetCounts = field(default_factory=dict)
    has_more: bool = False
    is_estimate: bool = False


@dataclass
class Match:
    """What a backend adds to the SQL for a query's words.

    ``group_sql`` gives 1 for a row with every word in its title or name, 2 for another word
    match, 3 (and on SQLite 4, outside the title) for a near spelling that no word matches; exact
    matches (group 0) are found by ``Backend`` itself.
    """

    from_sql: str
    from_params: list[Any]
    score_sql: str
    score_params: list[Any]
    where_sql: str
    where_params: list[Any]
    group_sql: str
    group_params: list[Any]


class Backend:
    """Shared SQL assembly; subclasses supply the full-text match and score."""

    def match(self, query: SearchQuery) -> Match:
        raise NotImplementedError

    def _filters(self, query: SearchQuery) -> tuple[str, list[Any]]:
        """The type and facet filters as one condition on ``d`` (``1 = 1`` for none)."""
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
        return " AND ".join(clauses) or "1 = 1", params

    def _parts(self, query: SearchQuery) -> tuple[str, list[Any], str, list[Any], str, list[Any]]:
        """``(from_sql, from_params, select_sql, select_params, where_sql, where_params)``."""
        where, params = self._filters(query)
        if not query.words:
            return "portal_searchdocument AS d", [], "0 AS grp, 0.0 AS score", [], where, params
        match = self.match(query)
        exact_sql = "lower(d.name) = %s OR lower(d.title) = %s"
        select_sql = f"CASE WHEN {exact_sql} THEN 0 ELSE {match.group_sql} END AS grp, {match.score_sql} AS score"
        select_params = [query.phrase, query.phrase, *match.group_params, *match.score_params]
        return (
            match.from_sql,
            match.from_params,
            select_sql,
            select_params,
            f"{match.where_sql} AND {where}",
            [*match.where_params, *params],
        )

    def search(self, query: SearchQuery, *, offset: int, limit: int, facets: bool = True) -> SearchPage:
        """One page of results; ``facets=False`` skips the counts (``total`` is then the page's length)."""
        if query.is_blank_text:
            return SearchPage(hits=[], total=0, facets={name: [] for name in FACET_FIELDS} if facets else {})
        with connection.cursor() as cursor:
            hits, has_more = self._page(cursor, query, offset=offset, limit=limit)
            if not facets:
                return SearchPage(hits=hits, total=len(hits), has_more=has_more)
            counts, total, is_estimate = self._counts(cursor, query)
        return SearchPage(hits=hits, total=total, facets=counts, has_more=has_more, is_estimate=is_estimate)

    def _page(self, cursor, query: SearchQuery, *, offset: int, limit: int) -> tuple[list[SearchHit], bool]:
        """The page's hits in rank order, every match ranked; and whether another page follows."""
        from_sql, from_params, select_sql, select_params, where, where_params = self._parts(query)
        columns = ", ".join(f"d.{column}" for column in _COLUMNS)
        order = "grp, score DESC, {t}.title, {t}.id" if query.words else "{t}.type, {t}.title, {t}.id"
        # Only the page's rows are read whole: the snippet's text, the keywords and extras of
        # thousands of matches would otherwise be read and thrown away.
        sql = (
            f"WITH ranked AS (SELECT d.id, d.type, d.title, {select_sql} FROM {from_sql} WHERE {where} "
            f"ORDER BY {order.format(t='d')} LIMIT %s OFFSET %s) "
            f"SELECT {columns}, substr(d.text, 1, {SNIPPET_SOURCE_CHARS}), r.score "
            f"FROM ranked AS r JOIN portal_searchdocument AS d ON d.id = r.id ORDER BY {order.format(t='r')}"
        )
        cursor.execute(sql, [*select_params, *from_params, *where_params, limit + 1, offset])
        hits = [self._hit(row) for row in cursor.fetchall()]
        return hits[:limit], len(hits) > limit

    def _counts(self, cursor, query: SearchQuery) -> tuple[FacetCounts, int, bool]:
        """Exact facet counts and total of every match; ``False``: not estimated."""
        from_sql, from_params, _, _, where, where_params = self._parts(query)
        columns = ", ".join(f"d.{name}" for name in FACET_FIELDS)
        counts = count_facets(cursor, f"SELECT {columns} FROM {from_sql} WHERE {where}", [*from_params, *where_params])
        return counts, total_of(counts), False

    def did_you_mean(self, query: SearchQuery) -> str:
        """A search text near ``query``'s, made of indexed words, that finds something; "" if none."""
        raise NotImplementedError

    def _suggestion(self, query: SearchQuery, terms_of: Callable[[str], dict[str, int]]) -> str:
        """The closest term of each unknown word (one edit looser than the search's), if it finds a row."""
        corrections = spelling.corrected_words(query.words, terms_of, looser=True)
        if not corrections:
            return ""
        phrase = " ".join(corrections.get(word, [word])[0] for word in query.words)
        found = self.search(replace(query, words=words_of(phrase)), offset=0, limit=1, facets=False)
        return phrase if found.hits else ""

    @staticmethod
    def _hit(row: tuple) -> SearchHit:
        values = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
        extra = values.pop("extra")
        text, score = row[len(_COLUMNS) :]
        return SearchHit(
            **values,
            extra=json.loads(extra) if isinstance(extra, str) else (extra or {}),
            text=text or "",
            score=float(score or 0),
        )


class PostgresBackend(Backend):
    """``tsvector`` ranking with prefix words, plus trigram word similarity for typos."""

    def match(self, query: SearchQuery) -> Match:
        from_sql = "portal_searchdocument AS d CROSS JOIN to_tsquery('simple', %s) AS q"
        # Rows the words match are ranked by ts_rank; rows found only as near spellings (typos) by
        # their similarity, scaled below: word_similarity is costly, so matching rows skip it.
        score_sql = (
            "CASE WHEN d.search_vector @@ q THEN ts_rank(d.search_vector, q) "
            f"ELSE 0.1 * word_similarity(%s, {postgres.TITLE_AND_NAME}) END"
        )
        group_sql = f"CASE WHEN {postgres.TITLE_VECTOR} @@ q THEN 1 WHEN d.search_vector @@ q THEN 2 ELSE 3 END"
        where_sql = "d.search_vector @@ q"
        where_params: list[Any] = []
        if postgres.has_typos(query.phrase):
            where_sql = f"({where_sql} OR %s <%% {postgres.TITLE_AND_NAME})"
            where_params = [query.phrase]
        return Match(
            from_sql=from_sql,
            from_params=[postgres.tsquery_text(query.words)],
            score_sql=score_sql,
            score_params=[query.phrase],
            where_sql=where_sql,
            where_params=where_params,
            group_sql=group_sql,
            group_params=[],
        )

    def search(self, query: SearchQuery, *, offset: int, limit: int, facets: bool = True) -> SearchPage:
        """Group by group, so a broad word's text matches are not all scored (``portal.search.postgres``)."""
        if not query.words:
            return super().search(query, offset=offset, limit=limit, facets=facets)
        filters = self._filters(query)
        with connection.cursor() as cursor:
            page = postgres.ranked_page(cursor, query.words, filters, offset=offset, limit=limit)
            hits = self._read_hits(cursor, page.ranked)
            if not facets:
                return SearchPage(hits=hits, total=len(hits), has_more=page.has_more)
            counts, total, is_estimate = postgres.count_matches(cursor, query.words, filters, page.scans)
        return SearchPage(hits=hits, total=total, facets=counts, has_more=page.has_more, is_estimate=is_estimate)

    def _read_hits(self, cursor, ranked: list[tuple[int, float]]) -> list[SearchHit]:
        """The rows of ranked ids, in their order, with their scores."""
        if not ranked:
            return []
        columns = ", ".join(f"d.{column}" for column in _COLUMNS)
        cursor.execute(
            f"SELECT {columns}, substr(d.text, 1, {SNIPPET_SOURCE_CHARS}) FROM portal_searchdocument AS d "
            "WHERE d.id = ANY(%s)",
            [[row_id for row_id, _ in ranked]],
        )
        rows = {row[0]: row for row in cursor.fetchall()}
        # A row deleted between the two statements is left out.
        return [self._hit((*rows[row_id], score)) for row_id, score in ranked if row_id in rows]

    def _counts(self, cursor, query: SearchQuery) -> tuple[FacetCounts, int, bool]:
        """Without words: exact, or estimated from a sample when the planner expects many rows."""
        return postgres.count_matches(cursor, query.words, self._filters(query))

    def did_you_mean(self, query: SearchQuery) -> str:
        # The threshold is set for this transaction only.
        with transaction.atomic(), connection.cursor() as cursor:
            return self._suggestion(query, lambda word: spelling.terms_near_postgresql(cursor, word))


class SqliteBackend(Backend):
    """FTS5 with ``bm25`` ranking and prefix words; a word the index lacks is searched as its near terms."""

    def __init__(self) -> None:
        self._corrections: dict[tuple[str, ...], dict[str, list[str]]] = {}

    def corrections(self, words: tuple[str, ...]) -> dict[str, list[str]]:
        """``{word: near terms}`` of the words no indexed term matches (``portal.search.spelling``)."""
        if words not in self._corrections:
            with connection.cursor() as cursor:
                unknown = tuple(spelling.unknown_words_sqlite(cursor, words))
                self._corrections[words] = spelling.corrected_words(
                    unknown, lambda word: spelling.terms_near_sqlite(cursor, word)
                )
        return self._corrections[words]

    def match(self, query: SearchQuery) -> Match:
        # Each word becomes an FTS5 string ("..."), so AND, OR, NOT, NEAR, * and ^ are plain text.
        phrases = [f'"{word}"*' if is_prefix_word(word) else f'"{word}"' for word in query.words]
        corrections = self.corrections(query.words)
        # A word with near terms is searched as any of them: the terms come from the index,
        # letters and digits only, quoted as the words are.
        searched = [
            "(" + " OR ".join(f'"{term}"' for term in corrections[word]) + ")" if word in corrections else phrase
            for word, phrase in zip(query.words, phrases, strict=True)
        ]
        # FTS5's functions and MATCH need the table's own name, not an alias. Its title column
        # holds title and name.
        fts = "portal_searchdocument_fts"
        in_title = f"d.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"
        # Every row of a corrected search is a near spelling: no row holds the word as typed.
        first = 3 if corrections else 1
        return Match(
            from_sql=f"{fts} JOIN portal_searchdocument AS d ON d.id = {fts}.rowid",
            from_params=[],
            score_sql=f"-bm25({fts}, 10.0, 4.0, 1.0)",
            score_params=[],
            where_sql=f"{fts} MATCH %s",
            where_params=[" AND ".join(searched)],
            group_sql=f"CASE WHEN {in_title} THEN {first} ELSE {first + 1} END",
            group_params=[" AND ".join(f"title : {phrase}" for phrase in searched)],
        )

    def did_you_mean(self, query: SearchQuery) -> str:
        with connection.cursor() as cursor:
            return self._suggestion(query, lambda word: spelling.terms_near_sqlite(cursor, word, looser=True))


def get_backend() -> Backend:
    """The backend for the default database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
