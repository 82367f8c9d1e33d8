"""Finding, before a full evaluation, the entities whose outcomes cannot have changed (PostgreSQL).

An entity's outcomes depend on the plan (``Plan.fingerprint``: every check's key, rule and error,
every track's levels), the checks and tracks that apply to it (its membership), its owner (where a
track applies), the stored values of the facts the rules read, and, for ``max_age`` rules, the
time. Each evaluation stores in ``EntityDigest`` the fingerprint of these **inputs bound to the
outcome digest they produced** (``inputs``) and the earliest moment a ``max_age`` rule may give
another outcome (``expires_at``). A full run first reads, in one set-based query, every stored
fingerprint with the digest of the entity's facts and its owner as PostgreSQL computes them from
the stored rows, and skips every entity whose stored ``inputs`` equal
``inputs_digest(plan, membership, owner, facts, stored digest)`` and whose outcomes have not
expired: evaluating it again would compute the digest that is stored, and the stored digest
describes the stored results (``soundcheck.digests``). A skipped entity's facts are not read and
nothing of it is computed in Python.

Both digests of an entity's facts are made by the server (``facts.FACT_HASH_SQL``): when the entity
is evaluated, from the very rows its outcomes were computed from, and here from the stored rows, so
a fact that changed between two reads only sends the entity down the exact path. Where a rule reads
when facts were collected (``age_of: collected_at``; collectors touch that time on every run)
nothing is skipped, and neither is anything on other databases: there every entity is evaluated and
compared with its outcome digest, as before.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import connection

from catalog.models import Relation

from ..facts import FACT_HASH_SQL
from ..models import EntityDigest, Fact
from ..plan import Plan
from .membership import Members

# Rows fetched from the server at a time: the query reads every fingerprint.
FETCH = 5000


def skips(plan: Plan) -> bool:
    """Whether a full run can skip entities by their inputs (PostgreSQL, no rule on collection times)."""
    return connection.vendor == "postgresql" and not plan.reads_collected_at


def inputs_digest(
    plan: Plan, combination: tuple[tuple[int, ...], tuple[int, ...]], owner: str, facts: int | None, digest: str
) -> str:
    """The fingerprint of what produced ``digest``: the plan, the entity's checks and tracks, its
    owner (empty where no track applies), the digest of its facts (None: it has none)."""
    text = repr((plan.fingerprint, combination, owner, facts, digest))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def unchanged(plan: Plan, members: Members, now: datetime) -> dict[str, int]:
    """ref -> errors held, for the entities of ``members`` that need no evaluation: one query, set-based
    (the facts and owners of every fingerprinted entity, grouped and hashed by the server)."""
    if not skips(plan) or not members:
        return {}
    quote = connection.ops.quote_name
    fact_table, relation_table = quote(Fact._meta.db_table), quote(Relation._meta.db_table)
    sql = (
        f"SELECT d.entity_ref, d.digest, d.inputs, d.errors, f.facts, o.owner "
        f"FROM {quote(EntityDigest._meta.db_table)} d "
        f"LEFT JOIN (SELECT entity_ref, bit_xor({FACT_HASH_SQL.format(fact=fact_table)}) AS facts "
        f"FROM {fact_table} WHERE name = ANY(%s) GROUP BY entity_ref) f ON f.entity_ref = d.entity_ref "
        f"LEFT JOIN (SELECT source_ref, min(target_ref) AS owner FROM {relation_table} "
        "WHERE type = 'ownedBy' GROUP BY source_ref) o ON o.source_ref = d.entity_ref "
        "WHERE d.inputs <> '' AND (d.expires_at IS NULL OR d.expires_at >= %s)"
    )
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(plan.fact_names), now])
        while rows := cursor.fetchmany(FETCH):
            for ref, digest, inputs, errors, facts, owner in rows:
                combination = members.get(ref)
                if combination is None:
                    continue
                owner = (owner or "") if combination[1] else ""
                if inputs == inputs_digest(plan, combination, owner, facts, digest):
                    found[ref] = errors
    return found
