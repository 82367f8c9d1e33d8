"""The catalog's one filter compiler: Backstage filter clauses to one ``Q`` over ``Entity``.

Every reader of the catalog selects entities through it: the explorer (its fields become
conditions, see ``explorer_clause``), ``GET /entities``, ``/entities/by-query``, facets, the
predicate endpoints (per condition) and Soundcheck's tracks and campaigns. Semantics are
Backstage's (``catalog.formats.filter_syntax``): a clause ANDs its conditions, clauses are ORed,
a condition's values are ORed, a key alone means "exists", keys and values ignore case,
``relations.<type>`` reads relation rows in both stored directions.

``entity_matches`` reads the same conditions against one loaded entity, for a caller that must
decide without a query (the Soundcheck tab on every entity page); the tests hold both readings
equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import F, Func, Q, Value

from .formats.filter_syntax import Condition, FilterClause
from .formats.refs import InvalidEntityRef, parse_entity_ref
from .formats.relations import RELATION_PAIRS
from .formats.validation import KNOWN_KINDS
from .search_index import TEXT_TERM_KEYS, build_search_document, escape_term_key

_RELATION_TYPES = {relation.lower(): relation for relation in RELATION_PAIRS}
# Kinds are validated with their exact spelling, so the column holds one spelling per kind.
CANONICAL_KINDS = {kind.lower(): kind for kind in KNOWN_KINDS}
# The explorer's fields, as the filter keys they stand for.
EXPLORER_KEYS = {
    "kind": "kind",
    "type": "spec.type",
    "lifecycle": "spec.lifecycle",
    "tag": "metadata.tags",
    "namespace": "metadata.namespace",
    "owner": "relations.ownedby",
}
_NOTHING = Q(pk__in=[])


def json_key_path(key: str) -> str:
    """The SQLite JSON path of a search-document key; empty for a key no document holds."""
    if '"' in key or "\\" in key:
        # No indexed key contains a quote: such a filter can match nothing.
        return ""
    return f'$."{key}"'


def filter_q(clauses: Sequence[FilterClause], *, columns: bool = False) -> Q:
    """Entities matching any clause, a clause matching when all its conditions hold; ``Q()`` for none.

    With ``columns``, ``kind``, ``spec.type`` and ``spec.lifecycle`` are read from their plain
    columns (stored lowercase, kinds in their one spelling): the explorer's plans are built on
    those columns' indexes and statistics. Without, every field is a test on the search terms
    (PostgreSQL) or the search document (SQLite). Both select the same rows.
    """
    combined = Q()
    for clause in clauses:
        clause_q = Q()
        conditions = list(clause)
        if connection.vendor == "postgresql" and not columns:
            # The kind is read from its column, the leading column of the indexes lists walk.
            kinds = [condition for condition in conditions if _is_kind_test(condition)]
            for condition in kinds:
                clause_q &= _column_q(condition)
            conditions = [condition for condition in conditions if condition not in kinds]
            # The other single-valued field tests become one containment test: one decompression
            # of the row's terms while an index is walked, and one estimate the planner can read.
            required = [_required_term(condition) for condition in conditions]
            terms = [term for term in required if term is not None]
            if len(terms) > 1:
                clause_q &= Q(TermsMatch(terms))
                conditions = [condition for condition, term in zip(conditions, required, strict=True) if term is None]
        for condition in conditions:
            clause_q &= _column_q(condition) if columns else condition_q(condition)
        combined |= clause_q
    return combined


def _is_kind_test(condition: Condition) -> bool:
    return condition.key == "kind" and condition.values is not None and "" not in condition.values


def _required_term(condition: Condition) -> str | None:
    """The one term a condition requires, or None when it is a relation test or offers several values."""
    if condition.key.startswith("relations."):
        return None
    if condition.values is None:
        return search_term(condition.key)
    if len(condition.values) == 1:
        return search_term(condition.key, condition.values[0])
    return None


def search_term(key: str, value: str | None = None) -> str:
    """The term ``catalog_search_terms()`` (migration 0014) stores for ``key`` (it exists) or ``key=value``.

    ``\\`` and ``=`` in the key are escaped, so no key/value pair can be mistaken for another.
    """
    escaped = escape_term_key(key)
    return escaped if value is None else f"{escaped}={value}"


class TermsMatch(Func):
    """``terms @> ARRAY[...]`` (all of them) or ``terms && ARRAY[...]`` (any), PostgreSQL only.

    ``terms`` is a generated column Django does not model; its reference is derived from the
    compiled ``search`` column, so the test names whatever alias the entity table has.
    """

    output_field = models.BooleanField()

    def __init__(self, terms: Sequence[str], *, any_of: bool = False) -> None:
        self.operator = "&&" if any_of else "@>"
        super().__init__(F("search"), Value(list(terms)))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (search, terms), params = compiled(self, compiler)
        return f"({sibling_column(search, 'terms')} {self.operator} ({terms})::text[])", params


def compiled(expression: Func, compiler) -> tuple[list[str], list[Any]]:
    """The SQL of each source expression of ``expression``, and all their parameters in order."""
    parts, params = [], []
    for source in expression.get_source_expressions():
        sql, source_params = compiler.compile(source)
        parts.append(sql)
        params.extend(source_params)
    return parts, params


def sibling_column(search_sql: str, column: str) -> str:
    """A column Django does not model (generated by PostgreSQL), on the alias ``search_sql`` names."""
    if not search_sql.endswith('"search"'):
        raise ValueError(f"cannot derive the {column} column from {search_sql!r}")
    return search_sql[: -len('"search"')] + f'"{column}"'


# The fields whose values ``text_terms`` (migration 0016) holds, trigram-indexed for full-text filters.
TEXT_KEYS = frozenset(TEXT_TERM_KEYS)


def trigram_served(term: str, keys: Sequence[str]) -> bool:
    """Whether a full-text filter's candidates come from the trigram index of ``text_terms``."""
    return len(term) >= 3 and {key.lower() for key in keys} <= TEXT_KEYS


class TextTermsLike(Func):
    """``text_terms LIKE pattern`` (PostgreSQL): true for every entity where one of ``TEXT_KEYS``
    has a value matching, and for a few more; the exact per-field test follows it."""

    output_field = models.BooleanField()

    def __init__(self, pattern: str) -> None:
        super().__init__(F("search"), Value(pattern))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (search, pattern), params = compiled(self, compiler)
        return f"({sibling_column(search, 'text_terms')} LIKE {pattern})", params


def _column_q(condition: Condition) -> Q:
    key, values = condition.key, condition.values
    # An empty value asks for an empty string in the document, which an empty column does not mean.
    if key not in ("kind", "spec.type", "spec.lifecycle") or values is None or "" in values:
        return condition_q(condition)
    if key == "kind":
        known = [CANONICAL_KINDS[value] for value in values if value in CANONICAL_KINDS]
        others = tuple(value for value in values if value not in CANONICAL_KINDS)
        q = Q(kind=known[0]) if len(known) == 1 else Q(kind__in=known) if known else _NOTHING
        return q | condition_q(Condition(key, others)) if others else q
    column = "spec_type" if key == "spec.type" else "lifecycle"
    return Q(**{column: values[0]}) if len(values) == 1 else Q(**{f"{column}__in": list(values)})


def condition_q(condition: Condition) -> Q:
    """One filter condition as a Q over ``Entity``, answered from the search index or relation rows."""
    key, values = condition.key, condition.values
    if key.startswith("relations."):
        return relation_q(key.removeprefix("relations."), values)
    if connection.vendor == "postgresql":
        # Served by the GIN index on ``terms``, with the element statistics ANALYZE keeps for it.
        if values is None:
            return Q(TermsMatch([search_term(key)]))
        return Q(TermsMatch([search_term(key, value) for value in values], any_of=len(values) > 1))
    if values is None:
        return Q(search__has_key=key)
    path = json_key_path(key)
    if not path:
        return _NOTHING
    return Q(SearchValues("json_each({search}, {key}) AS item WHERE item.value IN ({values})", path, values))


def relation_q(relation_key: str, values: tuple[str, ...] | None) -> Q:
    """Entities having an output relation of this type (to one of ``values``).

    A relation is either stored forward from the entity, or stored on the other entity in the
    reverse type (``ownerOf`` on X is ``ownedBy`` written by the component pointing at X).
    """
    from .models import Relation

    relation_type = _RELATION_TYPES.get(relation_key.lower())
    if relation_type is None:
        return _NOTHING
    forward = Relation.objects.filter(type=relation_type)
    reverse = Relation.objects.filter(type=RELATION_PAIRS[relation_type])
    if values is not None:
        forward = forward.filter(target_ref__in=values)
        reverse = reverse.filter(source_ref__in=values)
    # One IN over a UNION ALL, not two ORed INs: PostgreSQL turns the former into a semi-join on the
    # ref index, the latter into a scan of every entity.
    return Q(ref__in=forward.values("source_ref").union(reverse.values("target_ref"), all=True))


def like_q(key: str, pattern: str) -> Q:
    """Entities where a value at ``key`` matches the SQL LIKE ``pattern`` (values are lowercase)."""
    if connection.vendor == "postgresql":
        return Q(
            SearchValues(
                "jsonb_array_elements_text({search} -> {key}) AS item(value) WHERE item.value LIKE {values}",
                key.lower(),
                (pattern,),
            )
        )
    template = "json_each({search}, {key}) AS item WHERE item.value LIKE {values} ESCAPE '\\'"
    return Q(SearchValues(template, json_key_path(key.lower()) or "$.x", (pattern,)))


class SearchValues(Func):
    """``EXISTS (SELECT 1 FROM <template>)`` over the entity's search document.

    The column is compiled by Django, so the test names whatever alias the entity table has: inside
    a subquery (a page of refs, a campaign's targets) it reads the subquery's rows, not the outer's.
    """

    output_field = models.BooleanField()

    def __init__(self, template: str, key: str, values: Sequence[str]) -> None:
        self.exists_template = template
        super().__init__(F("search"), Value(key), *(Value(value) for value in values))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (search, key, *values), params = compiled(self, compiler)
        body = self.exists_template.format(search=search, key=key, values=", ".join(values))
        return f"EXISTS (SELECT 1 FROM {body})", params


class SortValue(Func):
    """The lowercase first value at ``key`` of the search document: what ``orderField`` compares.

    On PostgreSQL it is spelled as the ``catalog_entity_sort_*`` indexes are, so an ordered page
    walks one. The column is compiled by Django, so the value is read from whatever alias the
    entity table has (the offset of a page is taken in a subquery).
    """

    output_field = models.TextField()

    def __init__(self, key: str) -> None:
        super().__init__(F("search"), Value(key.lower()))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        search, key = self.get_source_expressions()
        search_sql, params = compiler.compile(search)
        if connection.vendor == "postgresql":
            key_sql, key_params = compiler.compile(key)
            return f"(({search_sql} -> {key_sql}) ->> 0)", [*params, *key_params]
        path = json_key_path(key.value)
        return f"json_extract({search_sql}, %s)", [*params, f"{path}[0]" if path else "$.x"]


class KeysetAfter(Func):
    """``(sort value, id) > (value, uid)`` (``<`` descending) as one row comparison, PostgreSQL only:
    the form an index range scan starts from; spelled with OR, the planner walks every row before it."""

    output_field = models.BooleanField()

    def __init__(self, key: str, value: str, uid: str, *, descending: bool) -> None:
        self.operator = "<" if descending else ">"
        super().__init__(SortValue(key), F("id"), Value(value), Value(uid))

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        (sort_value, uid_column, value, uid), params = compiled(self, compiler)
        return f"(({sort_value}), {uid_column}) {self.operator} ({value}, ({uid})::uuid)", params


def escape_like(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def owner_ref(value: str) -> str:
    """An owner as a full lowercase ref: a bare name is a Group in the default namespace, as
    Backstage reads ``spec.owner``; text that is no ref is kept as typed (it then matches nothing)."""
    text = value.strip()
    try:
        return str(parse_entity_ref(text, default_kind="group", default_namespace="default")).lower()
    except InvalidEntityRef:
        return text.lower()


def explorer_clause(fields: Mapping[str, Any]) -> FilterClause:
    """The explorer's fields (``kind``, ``type``, ``lifecycle``, ``tag``, ``namespace``, ``owner``)
    as one clause of conditions; empty fields are left out."""
    conditions = []
    for name, key in EXPLORER_KEYS.items():
        value = str(fields.get(name) or "").strip()
        if value:
            conditions.append(Condition(key, (owner_ref(value) if name == "owner" else value.lower(),)))
    return tuple(conditions)


def entity_matches(clauses: Sequence[FilterClause], entity: Any) -> bool:
    """Whether one loaded entity (``body`` and ``output_relations``) matches ``clauses``; no query."""
    return entity_matcher(entity)(clauses)


def entity_matcher(entity: Any) -> Callable[[Sequence[FilterClause]], bool]:
    """``entity_matches`` for many filters over one entity, its document built once.

    The document is rebuilt from the body as the refresh builds it, and ``output_relations`` are the
    stitched relations, both directions, as ``relation_q`` reads them.
    """
    document = build_search_document(entity.body)
    relations = [
        (str(item.get("type", "")).lower(), str(item.get("targetRef", "")).lower())
        for item in getattr(entity, "output_relations", None) or []
    ]

    def matches(clauses: Sequence[FilterClause]) -> bool:
        if not clauses:
            return True
        return any(all(_holds(condition, document, relations) for condition in clause) for clause in clauses)

    return matches


def _holds(condition: Condition, document: Mapping[str, list[str]], relations: Iterable[tuple[str, str]]) -> bool:
    key, values = condition.key, condition.values
    if key.startswith("relations."):
        relation_type = _RELATION_TYPES.get(key.removeprefix("relations."))
        if relation_type is None:
            return False
        wanted = relation_type.lower()
        return any(kind == wanted and (values is None or target in values) for kind, target in relations)
    if key not in document:
        return False
    return values is None or not set(document[key]).isdisjoint(values)
