"""The SVG charts: deterministic coordinates, axis labels, accessible names, escaped text."""

from __future__ import annotations

import datetime
import re

from soundcheck.charts import Frame, burn_up, stacked_bars, trend_chart

DAY = datetime.date(2026, 3, 1)


def days(n: int) -> list[datetime.date]:
    return [DAY + datetime.timedelta(days=index) for index in range(n)]


def points_of(svg: str, element: str, css_class: str) -> list[str]:
    return re.findall(rf'<{element} class="{css_class}" points="([^"]*)"', svg)


def test_frame_scales_the_first_and_last_slot_to_the_plot_edges():
    frame = Frame(count=3, top=10)
    assert (frame.x(0), frame.x(2)) == (44, 624)
    assert (frame.y(0), frame.y(10)) == (192, 16)


def test_trend_line_points_are_exact():
    svg = trend_chart(days(3), [("L1 Bronze", [0, 5, 10])], title="Trend")
    assert points_of(svg, "polyline", "sc-line") == ["44,192 334,104 624,16"]
    assert points_of(svg, "polygon", "sc-area") == ["44,192 334,104 624,16 624,192 44,192"]


def test_trend_y_axis_rounds_up_and_labels_dates():
    svg = trend_chart(days(91), [("L1", [7] * 91)], title="Trend")
    assert ">10</text>" in svg and ">5</text>" in svg and ">0</text>" in svg  # 7 rounds up to 10
    assert ">Mar 1</text>" in svg and ">May 30</text>" in svg and ">Apr 15</text>" in svg
    assert 'role="img"' in svg and "<title>Trend</title>" in svg
    assert 'aria-label="Trend. 91 days from Mar 1 to May 30; now L1 7."' in svg


def test_trend_output_is_deterministic():
    args = (days(5), [("L1", [1, 2, 3, 3, 4]), ("L2", [0, 0, 1, 2, 2])])
    assert trend_chart(*args, title="T") == trend_chart(*args, title="T")


def test_chart_text_is_escaped():
    svg = stacked_bars([("<script>alert(1)</script>", [1, 1])], ["None", "L1 <b>"], title="A & B")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title>A &amp; B</title>" in svg and "L1 &lt;b&gt;" in svg


def test_stacked_bar_segments_split_the_bar_by_share():
    svg = stacked_bars([("Team A", [1, 3, 0])], ["None", "Bronze", "Silver"], title="Levels")
    rects = re.findall(r'<rect class="sc-level-(\d)" x="([\d.]+)" y="16" width="([\d.]+)"', svg)
    # 444 px between the label column (180) and the right margin, split 1:3; empty segments are left out.
    assert rects == [("0", "180", "111"), ("1", "291", "333")]
    assert "Team A: 3 of 4 at Bronze (75%)" in svg


def test_burn_up_marks_deadline_ideal_and_target():
    start = DAY
    svg = burn_up(start, start + datetime.timedelta(days=10), [2, 3, 5], 10, title="Campaign")
    # 11 days across 580 px: 58 px a day; y top is 10 (the target).
    assert re.search(r'<line class="sc-deadline" x1="624" y1="16" x2="624" y2="192">', svg)
    assert re.search(r'<line class="sc-target" x1="44" y1="16" x2="624" y2="16">', svg)
    assert re.search(r'<line class="sc-ideal" x1="44" y1="156.8" x2="624" y2="16">', svg)
    assert 'points="44,156.8 102,139.2 160,104"' in svg
    assert "5 of 10 done after 3 days; deadline 2026-03-11" in svg


def test_burn_up_after_the_deadline_extends_the_axis():
    svg = burn_up(DAY, DAY + datetime.timedelta(days=1), [0, 1, 2, 2], 4, title="Late")
    # 4 days of data, deadline on day 2: the x axis covers the 4 days.
    assert re.search(r'<line class="sc-deadline" x1="237.3"', svg)
    assert ">Mar 4</text>" in svg


def test_burn_up_without_data_draws_no_line():
    svg = burn_up(DAY, DAY + datetime.timedelta(days=5), [], 0, title="Empty")
    assert 'sc-done" points' not in svg and "0 of 0 done" in svg


def test_a_single_day_spans_the_plot_instead_of_vanishing():
    svg = trend_chart(days(1), [("L1", [4])], title="Trend")
    assert points_of(svg, "polyline", "sc-line") == ["44,51.2 624,51.2"]  # 4 of a 5-high axis
    assert 'aria-label="Trend. 1 day from Mar 1 to Mar 1; now L1 4."' in svg
