"""What the Soundcheck pages show of a set of results: certification per level, who falls short, the
trend over time and the leaderboard of teams.

Every function reads a bounded number of queries whatever the number of entities: counts are
aggregated in the database, histories are read in one ordered pass per track and replayed in Python.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from catalog.lookups.ownership import EntitySummary, entities_by_ref

from .models import Level, Track, TrackResult, TrackResultChange

SHORTFALL_LIMIT = 100
TREND_DAYS = 90


@dataclass(frozen=True)
class LevelShare:
    """How many of ``total`` entities hold level ``ordinal`` (or a higher one)."""

    ordinal: int
    name: str
    count: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass(frozen=True)
class Shortfall:
    """An entity below its track's top level, with the level it misses next and its owner."""

    entity_ref: str
    level: int
    missing: str
    owner_ref: str
    entity: EntitySummary | None
    owner: EntitySummary | None

    @property
    def title(self) -> str:
        return self.entity.title if self.entity else self.entity_ref


@dataclass
class TrackReport:
    """One track's certification over a set of entities."""

    track: Track
    levels: list[Level]
    total: int
    shares: list[LevelShare]
    shortfalls: list[Shortfall] = field(default_factory=list)
    shortfall_count: int = 0

    @property
    def top_level(self) -> int:
        return self.levels[-1].ordinal if self.levels else 0


def tracks_with_levels(track_ids: list[int] | None = None) -> list[Track]:
    """Tracks (all, or those in ``track_ids``) with their levels in order: two queries."""
    qs = Track.objects.prefetch_related(Prefetch("levels", queryset=Level.objects.order_by("ordinal")))
    if track_ids is not None:
        qs = qs.filter(pk__in=track_ids)
    return list(qs.order_by("name", "key"))


def level_shares(levels: list[Level], counts: Counter[int]) -> list[LevelShare]:
    """From entities per level held (0 = none), how many hold each level or more."""
    total = sum(counts.values())
    shares = []
    for level in levels:
        held = sum(count for ordinal, count in counts.items() if ordinal >= level.ordinal)
        shares.append(LevelShare(level.ordinal, level.name, held, total))
    return shares


def track_reports(
    results: QuerySet[TrackResult], *, with_shortfalls: bool = True, shortfall_limit: int = SHORTFALL_LIMIT
) -> list[TrackReport]:
    """Per track with results among ``results``: totals per level and the entities that fall short."""
    counts: dict[int, Counter[int]] = {}
    for track_id, level, count in results.values_list("track_id", "level").annotate(n=Count("id")).order_by():
        counts.setdefault(track_id, Counter())[level] += count
    reports = []
    for track in tracks_with_levels(sorted(counts)):
        levels = list(track.levels.all())
        reports.append(
            TrackReport(track, levels, sum(counts[track.pk].values()), level_shares(levels, counts[track.pk]))
        )
    if with_shortfalls:
        _attach_shortfalls(results, reports, shortfall_limit)
    return reports


def _attach_shortfalls(results: QuerySet[TrackResult], reports: list[TrackReport], limit: int) -> None:
    rows_by_report = []
    for report in reports:
        short = results.filter(track=report.track, level__lt=report.top_level)
        rows = list(short.order_by("level", "entity_ref").values_list("entity_ref", "level", "owner_ref")[:limit])
        report.shortfall_count = len(rows) if len(rows) < limit else short.count()
        rows_by_report.append(rows)
    refs = {value for rows in rows_by_report for ref, _, owner in rows for value in (ref, owner) if value}
    summaries = entities_by_ref(refs, with_profile=True)
    for report, rows in zip(reports, rows_by_report, strict=True):
        names = {level.ordinal: level.name for level in report.levels}
        report.shortfalls = [
            Shortfall(ref, level, names.get(level + 1, ""), owner, summaries.get(ref), summaries.get(owner))
            for ref, level, owner in rows
        ]


@dataclass(frozen=True)
class TrendPoint:
    day: datetime.date
    counts: dict[int, int]  # level ordinal -> entities holding it or a higher one at the end of the day


def level_trend(
    track: Track,
    levels: list[Level],
    entity_refs: QuerySet | list[str],
    *,
    days: int = TREND_DAYS,
    today: datetime.date | None = None,
) -> list[TrendPoint]:
    """Entities at each level per day over the last ``days`` days, replayed from the track's changes.

    The days start at the track's first evaluation when that is more recent: a new install's chart
    begins the day it was first measured, not with weeks of zeros it never measured.
    """
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    changes = list(
        TrackResultChange.objects.filter(track=track, entity_ref__in=entity_refs)
        .order_by("changed_at", "pk")
        .values_list("entity_ref", "level", "changed_at")
    )
    first = max(first, timezone.localdate(changes[0][2])) if changes else today
    return replay_levels(changes, [level.ordinal for level in levels], min(first, today), today)


def replay_levels(
    changes: list[tuple[str, int, datetime.datetime]], ordinals: list[int], first: datetime.date, last: datetime.date
) -> list[TrendPoint]:
    """Counts per level at the end of each day from ``first`` to ``last``, from (ref, level, when) in order."""
    held: dict[str, int] = {}
    at_level: Counter[int] = Counter()
    points = []
    index = 0
    day = first
    while day <= last:
        while index < len(changes) and timezone.localdate(changes[index][2]) <= day:
            ref, level, _ = changes[index]
            at_level[held.get(ref, 0)] -= 1
            at_level[level] += 1
            held[ref] = level
            index += 1
        counts = {
            ordinal: sum(n for held_level, n in at_level.items() if held_level >= ordinal) for ordinal in ordinals
        }
        points.append(TrendPoint(day, counts))
        day += datetime.timedelta(days=1)
    return points


@dataclass(frozen=True)
class TeamScore:
    """A team's place on a track's leaderboard: its entities' shares at each level."""

    owner_ref: str
    owner: EntitySummary | None
    total: int
    shares: list[LevelShare]
    score: float  # mean level held over the top level: 1.0 when every entity holds the top level

    @property
    def title(self) -> str:
        return self.owner.display_name if self.owner else self.owner_ref

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def leaderboard(
    track: Track, levels: list[Level], results: QuerySet[TrackResult], *, rollup: dict[str, str] | None = None
) -> list[TeamScore]:
    """Teams (group owners) ranked by how far up the track their entities are, best first.

    ``rollup`` maps owner refs to the team they count for (a child team's entities counted for the
    team above it); owners outside it are left out. Without it, every owning group is its own team.
    """
    per_team: dict[str, Counter[int]] = {}
    rows = results.filter(track=track).values_list("owner_ref", "level").annotate(n=Count("id")).order_by()
    for owner, level, count in rows:
        team = rollup.get(owner) if rollup is not None else (owner if owner.startswith("group:") else None)
        if team:
            per_team.setdefault(team, Counter())[level] += count
    top = levels[-1].ordinal if levels else 0
    summaries = entities_by_ref(set(per_team), with_profile=True)
    scores = []
    for team, counts in per_team.items():
        total = sum(counts.values())
        mean = sum(min(level, top) * n for level, n in counts.items()) / total if total else 0
        score = mean / top if top else 0.0
        scores.append(TeamScore(team, summaries.get(team), total, level_shares(levels, counts), score))
    return sorted(scores, key=lambda item: (-item.score, -item.total, item.owner_ref))
