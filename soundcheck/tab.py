"""The entity page's Soundcheck tab: each track that measures the entity, the level it holds, and each
check with its result, why it failed and how to fix it.

Six queries whatever the number of tracks and checks: the entity's track results, the tracks, their
levels, the levels' checks, the entity's check results, and the last full evaluation run (a result
it confirmed shows that run's time, ``runs.effective_evaluated_at``). ``Check.fix`` is Markdown written by whoever
wrote the check: it is rendered sanitised (``portal.markdown``), never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.safestring import SafeString

from catalog.permissions import can_refresh_entity
from portal.markdown import render_markdown

from .models import Check, CheckResult, Level, Track, TrackResult
from .rules.evaluate import uncollected_facts
from .runs import effective_evaluated_at, last_full_run_start
from .targets import matching_track_ids


@dataclass
class CheckRow:
    check: Check
    result: CheckResult | None
    fix_html: SafeString | None

    @property
    def state(self) -> str:
        """``passed``, ``failed``, ``error``, ``pending`` (never run) or ``uncollected``: failed only
        because the facts it reads have not been collected yet (a fresh install, a CI report to come)."""
        if self.result is None:
            return "pending"
        if self.result.state == "failed" and self.uncollected:
            return "uncollected"
        return self.result.state

    @property
    def uncollected(self) -> list[str]:
        return uncollected_facts(self.result.message) if self.result else []


@dataclass
class LevelRow:
    level: Level
    is_held: bool
    checks: list[CheckRow] = field(default_factory=list)

    @property
    def failing(self) -> int:
        return sum(1 for row in self.checks if row.state != "passed")


@dataclass
class TrackRow:
    track: Track
    result: TrackResult | None
    levels: list[LevelRow]

    @property
    def held(self) -> int:
        return self.result.level if self.result else 0

    @property
    def held_name(self) -> str:
        names = {row.level.ordinal: row.level.name for row in self.levels}
        return names.get(self.held, "No level yet")

    @property
    def top(self) -> int:
        return self.levels[-1].level.ordinal if self.levels else 0


def soundcheck_tab_context(request: HttpRequest, entity: Any) -> dict[str, Any]:
    """The tab's ``data``: the tracks (with levels and checks) and whether the viewer may re-run them."""
    track_results = {result.track_id: result for result in TrackResult.objects.filter(entity_ref=entity.ref)}
    track_ids = set(matching_track_ids(entity)) | set(track_results)
    checks = Prefetch("checks", queryset=Check.objects.order_by("name", "key"))
    levels = Prefetch("levels", queryset=Level.objects.order_by("ordinal").prefetch_related(checks))
    tracks = list(Track.objects.filter(pk__in=track_ids).prefetch_related(levels).order_by("name", "key"))
    check_results = {result.rule_check_id: result for result in CheckResult.objects.filter(entity_ref=entity.ref)}
    last_full = last_full_run_start()
    for result in [*track_results.values(), *check_results.values()]:
        result.evaluated_at = effective_evaluated_at(result.evaluated_at, last_full)
    fixes: dict[int, SafeString] = {}
    rows = []
    for track in tracks:
        result = track_results.get(track.pk)
        held = result.level if result else 0
        level_rows = []
        for level in track.levels.all():
            level_row = LevelRow(level, level.ordinal <= held)
            for check in level.checks.all():
                check_result = check_results.get(check.pk)
                fix = None
                if check.fix and (check_result is None or check_result.state != "passed"):
                    fix = fixes.get(check.pk) or fixes.setdefault(check.pk, render_markdown(check.fix))
                level_row.checks.append(CheckRow(check, check_result, fix))
            level_rows.append(level_row)
        rows.append(TrackRow(track, result, level_rows))
    return {"tracks": rows, "can_rerun": can_refresh_entity(request.user, entity)}
