"""Ranking and counting on PostgreSQL without scoring every match of a broad word.

Ranking every match before taking a page (``Backend.search``) is what made broad words slow: a
word of page text matches 20,000 of 120,000 rows, and reading and scoring all of them costs over
100 ms. Here matches are ranked in groups, and a page stops reading once it is full:

0. *exact*: the name or title is the whole search text (btree indexes on ``lower(name)`` and
   ``lower(title)``);
1. *title*: every word is in the title or name (GIN index ``portal_search_title_vector``);
2. *text*: the other word matches (keywords, description, page text);
3. *typo*: near spellings of the whole text in title plus name that no word matches (pg_trgm),
   looked for only when the words match fewer than ``TYPOS_BELOW`` rows, and at most
   ``RANK_WINDOW`` of them: they rescue a misspelt name, not pad a search that found plenty
   (the trigram scan is the costliest part of a search: up to 150 ms for a long name).

So a word found in the text of 20,000 pages and in the titles of 300 ranks those 300 for the
first page. Within a group rows go by score (``ts_rank``; word similarity for typos), title,
id, ranked ``RANK_WINDOW`` rows at a time in the order the index returns them: a group of up to
``RANK_WINDOW`` rows is ranked whole, as ``Backend.search`` ranks it; a larger one (thousands of
pages titled "Deploying …") costs one window per page, not every row, and its best rows are the
best of their window.

Counts come with the groups: each group's statement also counts the facets of the rows it read,
so when every group holds fewer than ``RANK_WINDOW`` rows the counts are exact at no extra cost.
When a group holds more, or the planner expects ``ESTIMATE_FROM`` matches or more, counting
them all would cost what ranking them did: they are counted in a fixed sample of the table's
pages instead (``TABLESAMPLE SYSTEM``, fixed seed, so a search shows the same figures each time)
and scaled up; the page says "about". A sample that finds too few matches to scale (fewer than
about 2,000 matches, or matches crowded into a few pages) is set aside and the matches are
counted exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .facets import (
    FACET_FIELDS,
    FacetCounts,
    add_facets,
    count_facets,
    facets_json_sql,
    parse_facets_json,
    total_of,
    triples,
)
from .query import is_prefix_word

# A group up to this size is ranked whole; larger ones a window at a time. Also the most near
# spellings taken.
RANK_WINDOW = 500
# Near spellings are looked for when the words match fewer rows than this (about a page).
TYPOS_BELOW = 20
# Matches the planner expects from which counts are estimated.
ESTIMATE_FROM = 2000
# Share of the table's pages read to estimate counts, and the fewest sampled matches trusted.
SAMPLE_PERCENT = 5.0
MIN_SAMPLED = 100
TRIGRAM_MIN_LENGTH = 3

# Must stay identical to the expression of index portal_search_title_vector (migration
# portal/0004): the planner uses an expression index only for the very same expression.
TITLE_VECTOR = (
    "to_tsvector('simple'::regconfig, regexp_replace(((d.title)::text || ' '::text) || (d.name)::text, "
    "'[.@/:_]+', ' ', 'g'))"
)
# What the trigram index portal_search_trigram covers.
TITLE_AND_NAME = "(d.title || ' ' || d.name)"
_EXACT = "(lower(d.name) = query.phrase OR lower(d.title) = query.phrase)"
_WORDS = "d.search_vector @@ query.q"
_RANK = "ts_rank(d.search_vector, query.q)"

# One statement per group: a window (or more) of its rows, ranked, the page's slice of them, and
# how many rows were read with their facet counts. The words and the text are a MATERIALIZED CTE
# so that the planner cannot see them: it then always reads matches through the indexes, in index
# (heap) order (given the words it picks a sequential scan for a broad word under a LIMIT, whose
# order is not stable (synchronised scans) and which crawls through every entity row when the
# matches are docs pages at the end of the table), and it does not spend up to 60 ms estimating a
# trigram search from the index.
_GROUP_SQL = (
    "WITH query AS MATERIALIZED (SELECT to_tsquery('simple', %s) AS q, %s::text AS phrase), "
    "found AS MATERIALIZED (SELECT d.id, d.title, d.type, d.kind, d.owner, d.lifecycle, "
    "({score})::float8 AS score FROM query, portal_searchdocument AS d WHERE {where} LIMIT %s), "
    "windowed AS (SELECT id, title, score, (row_number() OVER () - 1) / %s AS slot FROM found) "
    "SELECT (SELECT count(*) FROM found), ({facets}), w.id, w.score FROM (SELECT 1) AS one LEFT JOIN ("
    "SELECT id, title, score, slot FROM windowed ORDER BY slot, score DESC, title, id LIMIT %s OFFSET %s"
    ") AS w ON true ORDER BY w.slot, w.score DESC, w.title, w.id"
)


@dataclass(frozen=True)
class Group:
    """One ranking group: which rows and their score, in terms of ``d`` and ``query.q``/``query.phrase``."""

    where: str
    score: str
    is_typo: bool = False


@dataclass
class GroupScan:
    """What one statement read of a group: ``size`` rows of at most ``limit``, and their facets."""

    size: int
    limit: int
    facets: FacetCounts
    is_typo: bool = False

    @property
    def is_whole(self) -> bool:
        """Whether these are all the group's rows (near spellings: at most ``RANK_WINDOW``, by rule)."""
        return self.is_typo or self.size < self.limit


@dataclass
class RankedPage:
    """Ids and scores of a page in rank order, whether more follow, and what each group read."""

    ranked: list[tuple[int, float]]
    has_more: bool
    # One per group, in rank order; None for a group the page did not need.
    scans: list[GroupScan | None] = field(default_factory=list)


def tsquery_text(words: tuple[str, ...]) -> str:
    """Every word as a quoted lexeme, a prefix from two letters; all words must match."""
    # Words are letters and digits only (query.words_of), quoted as lexemes all the same.
    return " & ".join(f"'{word}':*" if is_prefix_word(word) else f"'{word}'" for word in words)


def has_typos(phrase: str) -> bool:
    """Whether near spellings are looked for: trigrams of shorter text match almost anything."""
    return len(phrase) >= TRIGRAM_MIN_LENGTH


def groups_of(phrase: str) -> list[Group]:
    """The ranking groups of a search text, in rank order."""
    groups = [
        Group(f"{_EXACT} AND {_WORDS}", _RANK),
        Group(f"{TITLE_VECTOR} @@ query.q AND NOT {_EXACT}", _RANK),
        Group(f"{_WORDS} AND NOT {TITLE_VECTOR} @@ query.q AND NOT {_EXACT}", _RANK),
    ]
    if has_typos(phrase):
        # Scored as Backend.search scores them: below any word match.
        typo = Group(
            f"query.phrase <%% {TITLE_AND_NAME} AND NOT {_WORDS}",
            f"0.1 * word_similarity(query.phrase, {TITLE_AND_NAME})",
            is_typo=True,
        )
        groups.append(typo)
    return groups


def _scan_group(
    cursor, words: tuple[str, ...], group: Group, filters: tuple[str, list[Any]], *, windows: int, take: int, skip: int
) -> tuple[GroupScan, list[tuple[int, float]]]:
    """Read ``windows`` windows of a group (near spellings: one); its rows ``skip`` to ``skip + take``."""
    filter_sql, filter_params = filters
    limit = RANK_WINDOW if group.is_typo else windows * RANK_WINDOW
    cursor.execute(
        _GROUP_SQL.format(score=group.score, where=f"{group.where} AND {filter_sql}", facets=facets_json_sql("found")),
        [tsquery_text(words), " ".join(words), *filter_params, limit, RANK_WINDOW, take, skip],
    )
    rows = cursor.fetchall()
    scan = GroupScan(size=rows[0][0], limit=limit, facets=parse_facets_json(rows[0][1]), is_typo=group.is_typo)
    return scan, [(row_id, float(score)) for _, _, row_id, score in rows if row_id is not None]


def _looks_for_typos(scans: list[GroupScan | None]) -> bool:
    """Whether near spellings are wanted: the word groups were read whole and hold few rows."""
    words = [scan for scan in scans if scan is None or not scan.is_typo]
    return all(scan is not None and scan.is_whole for scan in words) and sum(s.size for s in words) < TYPOS_BELOW


def ranked_page(
    cursor, words: tuple[str, ...], filters: tuple[str, list[Any]], *, offset: int, limit: int
) -> RankedPage:
    """One page of matches (``offset``, ``limit``) in rank order.

    ``filters`` is a SQL condition on ``d`` and its parameters. One statement per group, none
    for the groups after the page is full.
    """
    groups = groups_of(" ".join(words))
    page = RankedPage(ranked=[], has_more=False, scans=[None] * len(groups))
    end = offset + limit + 1  # one more than the page: is there a next page?
    start = 0  # the group's first position in the whole ranking, known while groups are whole
    for index, group in enumerate(groups):
        skip = max(0, offset - start)
        take = end - max(offset, start)
        if take <= 0 or (group.is_typo and not _looks_for_typos(page.scans[:index])):
            break
        windows = -(-(skip + take) // RANK_WINDOW)
        scan, ranked = _scan_group(cursor, words, group, filters, windows=windows, take=take, skip=skip)
        page.scans[index] = scan
        page.ranked += ranked
        if not scan.is_whole:
            break  # the group holds the rest of the page
        start += scan.size
    page.has_more = len(page.ranked) > limit
    page.ranked = page.ranked[:limit]
    return page


def _expected_rows(cursor, where: str, params: list[Any]) -> float:
    """The planner's estimate of the rows matching ``where`` (statistics only, nothing is read)."""
    cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM portal_searchdocument AS d WHERE {where}", params)
    plan = cursor.fetchone()[0]
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def about(count: int) -> int:
    """An estimated count to two significant figures (23,431 is about 23,000)."""
    if count < 100:
        return count
    unit = 10 ** (len(str(count)) - 2)
    return (count + unit // 2) // unit * unit


def _word_sql(words: tuple[str, ...]) -> tuple[str, list[Any]]:
    if not words:
        return "true", []
    return "d.search_vector @@ to_tsquery('simple', %s)", [tsquery_text(words)]


def _group_counts(
    cursor, words: tuple[str, ...], filters: tuple[str, list[Any]], scans: list[GroupScan | None]
) -> FacetCounts | None:
    """Exact counts from what the groups read, reading those the page did not need.

    None when a group holds more than a window, or the planner expects so many matches that
    reading the other groups is not worth it.
    """
    groups = groups_of(" ".join(words))
    if any(scan is not None and not scan.is_whole for scan in scans):
        return None
    if any(scan is None and not group.is_typo for scan, group in zip(scans, groups, strict=True)):
        word_sql, word_params = _word_sql(words)
        filter_sql, filter_params = filters
        if _expected_rows(cursor, f"{word_sql} AND {filter_sql}", [*word_params, *filter_params]) >= ESTIMATE_FROM:
            return None
    for index, group in enumerate(groups):
        if scans[index] is None and (not group.is_typo or _looks_for_typos(scans[:index])):
            scans[index], _ = _scan_group(cursor, words, group, filters, windows=1, take=0, skip=0)
            if not scans[index].is_whole:
                return None
    return add_facets(triples(scan.facets) for scan in scans if scan is not None)


def _sampled_counts(cursor, words: tuple[str, ...], filters: tuple[str, list[Any]]) -> tuple[FacetCounts, int] | None:
    """Counts estimated from a sample of the table's pages; None if it holds too few matches."""
    word_sql, word_params = _word_sql(words)
    filter_sql, filter_params = filters
    columns = ", ".join(f"d.{name}" for name in FACET_FIELDS)
    sampled = count_facets(
        cursor,
        f"SELECT {columns} FROM portal_searchdocument AS d TABLESAMPLE SYSTEM (%s) REPEATABLE (0) "
        f"WHERE {word_sql} AND {filter_sql}",
        [SAMPLE_PERCENT, *word_params, *filter_params],
    )
    sampled_total = total_of(sampled)
    if sampled_total < MIN_SAMPLED:
        return None
    scale = 100 / SAMPLE_PERCENT
    scaled = {
        name: [(value, about(round(count * scale))) for value, count in values] for name, values in sampled.items()
    }
    return scaled, about(round(sampled_total * scale))


def count_matches(
    cursor, words: tuple[str, ...], filters: tuple[str, list[Any]], scans: list[GroupScan | None] | None = None
) -> tuple[FacetCounts, int, bool]:
    """Facet counts and total of every match, and whether they are estimates (see the module).

    ``scans``: what ``ranked_page`` read of each group, for a search with words.
    """
    word_sql, word_params = _word_sql(words)
    filter_sql, filter_params = filters
    if words and scans is not None:
        counts = _group_counts(cursor, words, filters, scans)
        if counts is not None:
            return counts, total_of(counts), False
        many = True  # a group holds more than a window, or the planner expects many matches
    else:
        many = _expected_rows(cursor, f"{word_sql} AND {filter_sql}", [*word_params, *filter_params]) >= ESTIMATE_FROM
    estimated = _sampled_counts(cursor, words, filters) if many else None
    if estimated is not None:
        return *estimated, True
    columns = ", ".join(f"d.{name}" for name in FACET_FIELDS)
    counts = count_facets(
        cursor,
        f"SELECT {columns} FROM portal_searchdocument AS d WHERE {word_sql} AND {filter_sql}",
        [*word_params, *filter_params],
    )
    typos = groups_of(" ".join(words))[3:]
    if typos and total_of(counts) < TYPOS_BELOW:
        # The planner expected many more word matches than there are.
        scan, _ = _scan_group(cursor, words, typos[0], filters, windows=1, take=0, skip=0)
        counts = add_facets([triples(counts), triples(scan.facets)])
    return counts, total_of(counts), False
