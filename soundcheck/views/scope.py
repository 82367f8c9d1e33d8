"""What the overview, team, system and organisation pages share: per track, the certification, the
trend over the last 90 days and the leaderboard, each with its chart."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ..charts import stacked_bars, trend_chart
from ..models import TrackResult
from ..reports import TeamScore, TrackReport, leaderboard, level_trend, track_reports


@dataclass
class ScopedTrack:
    """A track's report with its charts and its leaderboard."""

    report: TrackReport
    trend_svg: str
    board: list[TeamScore]
    board_svg: str
    shares_svg: str


def _exact_counts(shares: list, total: int) -> list[int]:
    """From "at this level or higher" counts to "at exactly this level", level 0 (none) first."""
    at_least = [total, *(share.count for share in shares), 0]
    return [at_least[index] - at_least[index + 1] for index in range(len(at_least) - 1)]


def scoped_tracks(
    results: QuerySet[TrackResult],
    *,
    board_results: QuerySet[TrackResult] | None = None,
    rollup: dict[str, str] | None = None,
    with_shortfalls: bool = True,
    board_limit: int | None = None,
) -> list[ScopedTrack]:
    """Per track among ``results``: report, trend and leaderboard (of ``board_results``, by default the same)."""
    scoped = []
    for report in track_reports(results, with_shortfalls=with_shortfalls):
        track, levels = report.track, report.levels
        refs = results.filter(track=track).values("entity_ref")
        points = level_trend(track, levels, refs)
        days = [point.day for point in points]
        series = [
            (f"L{level.ordinal} {level.name}", [point.counts[level.ordinal] for point in points]) for level in levels
        ]
        span = "today" if len(days) == 1 else f"last {len(days)} days"
        trend_svg = trend_chart(days, series, title=f"{track.name}: entities per level, {span}")
        board = leaderboard(track, levels, board_results if board_results is not None else results, rollup=rollup)
        if board_limit is not None and len(board) > 2 * board_limit:
            shown = board[:board_limit] + board[-board_limit:]
        else:
            shown = board
        names = ["None", *(level.name for level in levels)]
        board_svg = (
            stacked_bars(
                [(team.title, _exact_counts(team.shares, team.total)) for team in shown],
                names,
                title=f"{track.name}: share of each team's entities at each level",
            )
            if shown
            else ""
        )
        shares_svg = stacked_bars(
            [(track.name, _exact_counts(report.shares, report.total))], names, title=f"{track.name}: entities per level"
        )
        scoped.append(ScopedTrack(report, trend_svg, board, board_svg, shares_svg))
    return scoped
