"""Near spellings of search words, from the words the index holds.

SQLite's FTS5 has no fuzzy match, so a misspelt word there is replaced by the indexed terms
closest to it (``terms_near_sqlite`` reads FTS5's own vocabulary, ``portal_searchdocument_vocab``,
migration ``portal/0005``): one typo in a word of three or four letters, two from five. The same
distance, one step looser, picks the "Did you mean …?" of a search that found nothing, on either
database (PostgreSQL's candidates are titles and names near the word, from the trigram index).

Distance is optimal string alignment: insertions, deletions, substitutions and swaps of two
neighbouring letters each count one.
"""

from __future__ import annotations

from collections.abc import Iterable

from .query import is_prefix_word, words_of

# The most corrections one word is searched with.
MAX_NEAR_TERMS = 5
# Words shorter than this are not corrected: nearly every short term is one edit away.
MIN_CORRECTED_LENGTH = 3
# Highest code point: the end of a range of terms sharing a prefix.
_LAST = "\U0010ffff"
# Word similarity below which PostgreSQL titles are no candidates for a suggestion. Low: three
# typos in a long word ("nootifucatoon", 0.29 to "notification") must still reach the edit distance,
# which decides; only a search that found nothing asks, and the nearest titles are read first.
SUGGEST_SIMILARITY = "0.2"
# Titles read for candidate terms, the most similar first.
SUGGEST_TITLES = 200


def allowed_typos(word: str) -> int:
    """How many edits a word may be from the term it means: one in 3-4 letters, two from 5."""
    if len(word) < MIN_CORRECTED_LENGTH:
        return 0
    return 1 if len(word) <= 4 else 2


def distance(word: str, term: str, limit: int) -> int:
    """Optimal string alignment distance, or ``limit + 1`` once it is certainly above ``limit``.

    Only cells within ``limit`` of the diagonal are computed: the rest cannot stay within it.
    """
    size = len(term)
    if abs(len(word) - size) > limit:
        return limit + 1
    above = limit + 1
    before: list[int] | None = None
    row = [column if column <= limit else above for column in range(size + 1)]
    for i, letter in enumerate(word, start=1):
        current = [i if i <= limit else above] + [above] * size
        best = current[0]
        for j in range(max(1, i - limit), min(size, i + limit) + 1):
            other = term[j - 1]
            value = min(row[j - 1] + (letter != other), row[j] + 1, current[j - 1] + 1)
            if before is not None and j > 1 and letter == term[j - 2] and word[i - 2] == other:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return above
        before, row = row, current
    return min(row[size], above)


def is_known(word: str, terms: Iterable[str]) -> bool:
    """Whether the index holds ``word`` (as a prefix from two letters, as the search matches it)."""
    if is_prefix_word(word):
        return any(term.startswith(word) for term in terms)
    return word in terms


def nearest(word: str, terms: dict[str, int], limit: int) -> list[str]:
    """The terms at the smallest distance from ``word`` up to ``limit``, most documents first."""
    found: dict[int, list[tuple[int, str]]] = {}
    letters = set(word)
    for term, documents in terms.items():
        # Each letter one has and the other lacks costs an edit: a quick way to skip most terms.
        if len(letters.difference(term)) > limit or len(set(term).difference(letters)) > limit:
            continue
        edits = distance(word, term, limit)
        if 0 < edits <= limit:
            found.setdefault(edits, []).append((-documents, term))
    if not found:
        return []
    return [term for _, term in sorted(found[min(found)])[:MAX_NEAR_TERMS]]


def first_letter_ranges(word: str) -> list[tuple[str, str]]:
    """``(low, high)`` term ranges a correction is looked for in: terms starting as the word does.

    Also terms starting with its second letter (a swapped or extra first letter); a wrong or
    missing first letter is not corrected, so that no search reads the whole vocabulary.
    """
    letters = dict.fromkeys(word[:2])
    return [(letter, letter + _LAST) for letter in letters]


def terms_near_sqlite(cursor, word: str, *, looser: bool = False) -> dict[str, int]:
    """``{term: documents}`` of the FTS5 vocabulary that may be near ``word`` (SQLite): in its
    letter ranges, of a length within the edits allowed, and every term starting with it."""
    limit = allowed_typos(word) + looser
    terms: dict[str, int] = {}
    for low, high in first_letter_ranges(word):
        # The vocabulary table answers a term range from the index, without a scan.
        cursor.execute(
            "SELECT term, doc FROM portal_searchdocument_vocab WHERE term >= %s AND term < %s "
            "AND (length(term) BETWEEN %s AND %s OR substr(term, 1, %s) = %s)",
            [low, high, len(word) - limit, len(word) + limit, len(word), word],
        )
        terms.update(cursor.fetchall())
    return terms


def unknown_words_sqlite(cursor, words: tuple[str, ...]) -> list[str]:
    """The words that could be corrected and that no term of the FTS5 vocabulary starts with.

    One statement for every word, so a search whose words are all known pays one lookup.
    """
    candidates = [word for word in words if allowed_typos(word)]
    if not candidates:
        return []
    exists = "EXISTS (SELECT 1 FROM portal_searchdocument_vocab WHERE term >= %s AND term < %s)"
    cursor.execute(
        "SELECT " + ", ".join([exists] * len(candidates)),
        [value for word in candidates for value in (word, word + _LAST)],
    )
    return [word for word, known in zip(candidates, cursor.fetchone(), strict=True) if not known]


def terms_near_postgresql(cursor, word: str) -> dict[str, int]:
    """``{word: titles}`` of the titles and names near ``word`` (PostgreSQL, trigram index): the
    vocabulary of the ``SUGGEST_TITLES`` most similar titles, which ``nearest`` then measures."""
    cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [SUGGEST_SIMILARITY])
    cursor.execute(
        "SELECT d.title || ' ' || d.name FROM portal_searchdocument AS d "
        "WHERE %s <%% (d.title || ' ' || d.name) "
        "ORDER BY word_similarity(%s, d.title || ' ' || d.name) DESC, d.id LIMIT %s",
        [word, word, SUGGEST_TITLES],
    )
    terms: dict[str, int] = {}
    for (text,) in cursor.fetchall():
        for term in words_of(text):
            terms[term] = terms.get(term, 0) + 1
    return terms


def corrected_words(words: tuple[str, ...], terms_of, *, looser: bool = False) -> dict[str, list[str]]:
    """``{word: near terms}`` for each word the index does not hold and that has near terms.

    ``terms_of(word)`` gives candidate terms; ``looser`` allows one more edit (suggestions).
    """
    corrections: dict[str, list[str]] = {}
    for word in words:
        limit = allowed_typos(word)
        if limit == 0:
            continue
        terms = terms_of(word)
        if is_known(word, terms):
            continue
        near = nearest(word, terms, limit + looser)
        if near:
            corrections[word] = near
    return corrections
