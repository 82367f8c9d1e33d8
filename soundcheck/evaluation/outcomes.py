"""Every check state and track level of a batch of entities, computed in Python from their facts.

For a batch of entity refs the facts the rules need and the owners are read with one query each.
Entities with the same values of the facts a check reads get the same outcome, computed once per
run (``Memo``). Each entity's outcomes come with their fingerprint (``digests``), which a full
evaluation compares with the stored one before reading or writing anything of the entity, with the
fingerprint of what they were computed from (``inputs``) and until when they hold (``expires``:
a ``max_age`` rule's outcome changes with the time alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from catalog.querysets import owner_refs_of

from ..digests import TrackOutcome, check_token, digest_of_tokens
from ..facts import facts_for
from ..models import ResultState
from ..plan import CompiledCheck, Plan
from ..rules import FactValue, evaluate_rule, rule_horizon
from .inputs import inputs_digest, skips
from .membership import Members

# Distinct (check, fact values) outcomes remembered across a run's batches before starting afresh.
MEMO_LIMIT = 200_000

# A check outcome with its fingerprint token and until when it holds (None: whatever the time):
# (check id, state, message, token, horizon).
Scored = tuple[int, str, str, bytes, datetime | None]
# ref -> (check outcomes, track outcomes), each in id order.
Outcomes = dict[str, tuple[list[Scored], list[TrackOutcome]]]
# (check, the values of the facts its rule reads) -> the outcome: entities with the same values get
# the same outcome, computed once per run.
Memo = dict[tuple, Scored]


@dataclass
class Summary:
    """What one evaluation did."""

    entities: int = 0
    results: int = 0
    check_changes: int = 0
    track_changes: int = 0
    errors: int = 0
    removed: int = 0
    changed_entities: int = 0  # entities whose results were rewritten
    seconds: float = 0.0

    def add(self, other: Summary) -> None:
        for name in ("entities", "results", "check_changes", "track_changes", "errors", "removed", "changed_entities"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Evaluated:
    """A batch's outcomes, per ref: results, their fingerprint, and what ``EntityDigest`` keeps of them."""

    outcomes: Outcomes = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    # ref -> (inputs, expires, errors): ``inputs`` is "" where ``inputs.skips`` is false.
    kept: dict[str, tuple[str, datetime | None, int]] = field(default_factory=dict)


def outcomes_of(plan: Plan, members: Members, now: datetime, summary: Summary, memo: Memo) -> Evaluated:
    """Every check state and track level of the batch's entities, from their facts (one query) and
    owners (one query, when a track applies), each entity's fingerprint and inputs."""
    refs = list(members)
    fact_digests: dict[str, int] | None = {} if skips(plan) else None
    facts = (
        facts_for(refs, plan.fact_names, with_collected_at=plan.reads_collected_at, digests=fact_digests)
        if plan.fact_names
        else {}
    )
    owners = _owners(refs) if any(track_ids for _, track_ids in members.values()) else {}
    if len(memo) > MEMO_LIMIT:
        memo.clear()
    evaluated = Evaluated()
    no_facts: dict[str, FactValue] = {}
    error = ResultState.ERROR.value
    for ref, combination in members.items():
        check_ids, track_ids = combination
        checks = _check_outcomes(plan, check_ids, facts.get(ref, no_facts), now, memo)
        summary.results += len(checks)
        errors = sum(1 for check in checks if check[1] == error)
        summary.errors += errors
        tracks: list[TrackOutcome] = []
        owner = owners.get(ref, "") if track_ids else ""
        if track_ids:
            states = {check[0]: check[1] for check in checks}
            for track_id in track_ids:
                levels = plan.track_levels.get(track_id)
                if levels is not None:
                    tracks.append((track_id, _level(levels, states), owner))
        evaluated.outcomes[ref] = (checks, tracks)
        digest = evaluated.digests[ref] = digest_of_tokens([check[3] for check in checks], tracks)
        horizons = [check[4] for check in checks if check[4] is not None]
        inputs = "" if fact_digests is None else inputs_digest(plan, combination, owner, fact_digests.get(ref), digest)
        evaluated.kept[ref] = (inputs, min(horizons) if horizons else None, errors)
    return evaluated


def _owners(refs: list[str]) -> dict[str, str]:
    """Each entity's first owner (its track results are filed under it)."""
    return {ref: owners[0] for ref, owners in owner_refs_of(refs).items()}


def _check_outcomes(
    plan: Plan, check_ids: tuple[int, ...], entity_facts: dict[str, FactValue], now: datetime, memo: Memo
) -> list[Scored]:
    outcomes: list[Scored] = []
    for check_id in check_ids:
        compiled = plan.checks.get(check_id)
        if compiled is None:
            continue
        key = _memo_key(compiled, entity_facts)
        scored = memo.get(key) if key is not None else None
        if scored is None:
            state, message = _outcome(compiled, entity_facts, now)
            horizon = rule_horizon(compiled.rule, entity_facts, now) if compiled.reads_time and compiled.rule else None
            scored = (check_id, state, message, check_token(check_id, state, message), horizon)
            if key is not None:
                memo[key] = scored
        outcomes.append(scored)
    return outcomes


_SCALARS = (str, int, float, bool, type(None))


def _memo_key(compiled: CompiledCheck, facts: dict[str, FactValue]) -> tuple | None:
    """What the check's outcome depends on, or None when a value is a list or mapping (not hashed).

    Each value is paired with its type, since ``True == 1`` in Python but not in rules.
    """
    names = compiled.fact_names
    if len(names) == 1 and not compiled.reads_collected_at:  # most rules: one fact, its value only
        fact = facts.get(names[0])
        if fact is None:
            return (compiled.pk, None)
        value = fact.value
        return (compiled.pk, type(value), value) if type(value) in _SCALARS else None
    key: list[Any] = [compiled.pk]
    for name in names:
        fact = facts.get(name)
        if fact is None:
            key.append(None)
            continue
        value = fact.value
        if type(value) not in _SCALARS:
            return None
        key.append((type(value), value, fact.collected_at if compiled.reads_collected_at else None))
    return tuple(key)


def _outcome(compiled: CompiledCheck, facts: dict[str, FactValue], now: datetime) -> tuple[str, str]:
    # Plain strings, not the enum members: outcomes are fingerprinted with ``repr``.
    if compiled.rule is None:
        return ResultState.ERROR.value, compiled.error
    try:
        outcome = evaluate_rule(compiled.rule, facts, now)
    except Exception as error:
        return ResultState.ERROR.value, f"check {compiled.key}: could not evaluate: {error}"
    return (ResultState.PASSED.value, "") if outcome.passed else (ResultState.FAILED.value, outcome.message)


def _level(levels: list[list[int]], states: dict[int, str]) -> int:
    """The highest L such that every check of levels 1..L passed."""
    held = 0
    for ordinal, check_ids in enumerate(levels, start=1):
        if all(states.get(check_id) == ResultState.PASSED for check_id in check_ids):
            held = ordinal
        else:
            break
    return held
