"""Campaigns as their pages show them: the target set, progress now, the burn-up since the start, and
the laggards grouped by team with ways to reach each team.

A campaign's targets are the entities the engine has results for on its goal (the track's results for
a level goal, the check's results for a check goal), narrowed by the campaign's own entity filter.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.lookups.ownership import EntitySummary, contacts_of, display_name, entities_by_ref, profile_email
from catalog.models import Entity

from .models import Campaign, CheckResult, CheckResultChange, Level, ResultState, TrackResult, TrackResultChange
from .selection import entities_matching

MAX_BURN_UP_DAYS = 730
LAGGARD_LIMIT = 500


def goal_label(campaign: Campaign, level: Level | None = None) -> str:
    """ "Test Certified L2 (Silver)" or "Check: Has docs"."""
    if campaign.rule_check_id:
        return f"Check: {campaign.rule_check.name}"
    name = f" ({level.name})" if level else ""
    return f"{campaign.track.name} L{campaign.target_level}{name}"


def target_results(campaign: Campaign) -> QuerySet:
    """The result rows of the campaign's targets: TrackResult for a level goal, CheckResult for a check."""
    if campaign.rule_check_id:
        results = CheckResult.objects.filter(rule_check_id=campaign.rule_check_id)
    else:
        results = TrackResult.objects.filter(track_id=campaign.track_id)
    if campaign.entity_filter:
        # Compiled on its own: the catalog's filters name its table, which a nested queryset would alias.
        sql, params = entities_matching(campaign.entity_filter).values("ref").query.sql_with_params()
        results = results.filter(entity_ref__in=RawSQL(sql, params))
    return results


def done_q(campaign: Campaign) -> Q:
    """Which of ``target_results`` meet the goal."""
    if campaign.rule_check_id:
        return Q(state=ResultState.PASSED)
    return Q(level__gte=campaign.target_level)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def left(self) -> int:
        return self.total - self.done


def progress_of(campaigns: list[Campaign]) -> dict[int, Progress]:
    """Each campaign's progress now, in one query (a UNION of one aggregate per campaign)."""
    parts = [
        target_results(campaign)
        .annotate(campaign_pk=Value(campaign.pk, output_field=IntegerField()))
        .values("campaign_pk")
        .annotate(total=Count("pk"), done=Count("pk", filter=done_q(campaign)))
        .values_list("campaign_pk", "total", "done")
        .order_by()
        for campaign in campaigns
    ]
    found = {campaign.pk: Progress(0, 0) for campaign in campaigns}
    if not parts:
        return found
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for pk, total, done in rows:
        found[pk] = Progress(done, total)
    return found


def burn_up_series(campaign: Campaign, *, today: datetime.date | None = None) -> list[int]:
    """Targets meeting the goal at the end of each day from the start to today (or the deadline, if
    later days are not yet come), replayed from the change history."""
    today = today or timezone.localdate()
    if today < campaign.starts_on:
        return []
    last = min(today, campaign.starts_on + datetime.timedelta(days=MAX_BURN_UP_DAYS - 1))
    refs = target_results(campaign).values("entity_ref")
    if campaign.rule_check_id:
        changes = CheckResultChange.objects.filter(rule_check_id=campaign.rule_check_id, entity_ref__in=refs)
        rows = changes.order_by("changed_at", "pk").values_list("entity_ref", "state", "changed_at")
        events = [(ref, state == ResultState.PASSED, when) for ref, state, when in rows]
    else:
        changes = TrackResultChange.objects.filter(track_id=campaign.track_id, entity_ref__in=refs)
        rows = changes.order_by("changed_at", "pk").values_list("entity_ref", "level", "changed_at")
        events = [(ref, level >= campaign.target_level, when) for ref, level, when in rows]
    return replay_done(events, campaign.starts_on, last)


def replay_done(
    events: list[tuple[str, bool, datetime.datetime]], first: datetime.date, last: datetime.date
) -> list[int]:
    """How many refs are done at the end of each day, from (ref, done, when) events in time order."""
    done: set[str] = set()
    series = []
    index = 0
    day = first
    while day <= last:
        while index < len(events) and timezone.localdate(events[index][2]) <= day:
            ref, is_done, _ = events[index]
            (done.add if is_done else done.discard)(ref)
            index += 1
        series.append(len(done))
        day += datetime.timedelta(days=1)
    return series


@dataclass
class Laggard:
    entity_ref: str
    entity: EntitySummary | None
    detail: str  # "L1" held, or the check's state

    @property
    def title(self) -> str:
        return self.entity.title if self.entity else self.entity_ref


@dataclass
class LaggardTeam:
    """A team with targets still short of the goal, and how to reach it."""

    owner_ref: str
    owner: EntitySummary | None
    email: str | None
    contacts: list[dict[str, str]] = field(default_factory=list)
    laggards: list[Laggard] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.owner.display_name if self.owner else (self.owner_ref or "No owner")


def laggard_teams(campaign: Campaign, *, limit: int = LAGGARD_LIMIT) -> tuple[list[LaggardTeam], int]:
    """The targets not meeting the goal, grouped by their current owner (most laggards first), and how
    many there are in all (only the first ``limit`` are listed)."""
    short = target_results(campaign).exclude(done_q(campaign))
    is_check = bool(campaign.rule_check_id)
    field_name = "state" if is_check else "level"
    # Track results remember the owner at evaluation: the fallback for entities gone from the catalog.
    recorded = Value("", output_field=CharField()) if is_check else F("owner_ref")
    rows = list(
        short.annotate(recorded_owner=recorded)
        .order_by("entity_ref")
        .values_list("entity_ref", field_name, "recorded_owner")[:limit]
    )
    count = len(rows) if len(rows) < limit else short.count()
    summaries = entities_by_ref({ref for ref, _, _ in rows}, with_owner=True)
    owner_of = {
        ref: (summaries[ref].owner_ref if ref in summaries and summaries[ref].owner_ref else recorded_owner or "")
        for ref, _, recorded_owner in rows
    }
    owners = {entity.ref: entity for entity in Entity.objects.filter(ref__in=set(owner_of.values())).for_output()}
    teams: dict[str, LaggardTeam] = {}
    for ref, value, _ in rows:
        summary = summaries.get(ref)
        owner_ref = owner_of[ref]
        team = teams.get(owner_ref)
        if team is None:
            owner = owners.get(owner_ref)
            team = teams[owner_ref] = LaggardTeam(
                owner_ref,
                _summary(owner) if owner else None,
                profile_email(owner),
                contacts_of(owner) if owner else [],
            )
        detail = f"L{value}" if field_name == "level" else str(value)
        team.laggards.append(Laggard(ref, summary, detail))
    ordered = sorted(teams.values(), key=lambda team: (-len(team.laggards), team.owner_ref == "", team.owner_ref))
    return ordered, count


def _summary(entity: Entity) -> EntitySummary:
    return EntitySummary(
        entity.ref, entity.kind, entity.name, entity.display_title, display_name(entity), profile_email(entity)
    )
