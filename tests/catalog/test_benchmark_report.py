"""The benchmark's report: ``--compare`` ratios, the Markdown table and percentiles of tiny samples."""

from __future__ import annotations

import pytest

from benchmarks.catalog.http_load import percentile
from benchmarks.catalog.report import compare, format_comparison, render_markdown


def _report(p95: float, ingest: float, *, entities: int = 13801, rps: float = 300.0) -> dict:
    return {
        "machine": {"cores": 2, "debug": False},
        "ingestion": [
            {
                "entities": entities,
                "files": 1,
                "ingest_seconds": ingest,
                "ingest_entities_per_second": 1000,
                "ingest_peak_rss_mb": 200,
                "unchanged_refresh_seconds": 2.0,
                "unchanged_refresh_peak_rss_mb": 150,
            }
        ],
        "api": [
            {
                "entities": entities,
                "scenarios": [
                    {"name": "by-name", "target_p95_ms": 2.0, "p50_ms": 1.0, "p95_ms": p95, "requests": 200,
                     "errors": 0, "met": p95 < 2.0, "example": "/api/catalog/entities/by-name/component/default/a"},
                    {"name": "page 1000", "target_p95_ms": 10.0, "skipped": "only 3 pages of 50", "requests": 0,
                     "errors": 0, "met": None, "example": ""},
                ],
            }
        ],
        "load": [{"entities": entities, "clients": 50, "seconds": 60.0, "requests": 18000, "errors": 0,
                  "throughput_rps": rps, "p50_ms": 80.0, "p95_ms": 150.0, "met": True, "targets": "..."}],
    }  # fmt: skip


def test_compare_gives_each_shared_figure_as_now_over_earlier():
    rows = {key: ratio for key, _, _, ratio in compare(_report(4.0, 20.0), _report(1.0, 10.0, rps=450.0))}

    assert rows["13801 entities, by-name: p95_ms"] == 0.25
    assert rows["13801 entities, by-name: p50_ms"] == 1.0
    assert rows["ingestion 13801 entities, 1 files: ingest_seconds"] == 0.5
    assert rows["load test 13801 entities, 50 clients: throughput_rps"] == 1.5
    # A skipped query has no figure, so there is nothing to divide.
    assert not any("page 1000" in key for key in rows)


def test_compare_leaves_out_sizes_only_one_run_has():
    assert compare(_report(4.0, 20.0, entities=13801), _report(1.0, 10.0, entities=100001)) == []
    assert format_comparison([]) == ["no figure in common with the earlier run (different sizes or sections?)"]


def test_compare_answers_no_ratio_to_an_earlier_zero():
    earlier = _report(4.0, 20.0)
    earlier["ingestion"][0]["ingest_seconds"] = 0

    rows = {key: (old, new, ratio) for key, old, new, ratio in compare(earlier, _report(1.0, 10.0))}

    assert rows["ingestion 13801 entities, 1 files: ingest_seconds"] == (0, 10.0, None)
    assert any(line.rstrip().endswith("-") for line in format_comparison(list(compare(earlier, _report(1.0, 10.0)))))


def test_markdown_lists_each_query_with_its_target_and_whether_it_is_met():
    markdown = render_markdown(_report(3.5, 20.0))

    assert "| cores | 2 |" in markdown and "| debug | false |" in markdown
    assert "| by-name | 1.00 | 3.50 | 2.00 | **no** | 200 | 0 |" in markdown
    assert "| page 1000 | only 3 pages of 50 | - | 10.00 | - | 0 | 0 |" in markdown
    assert "| 50 | 60.0 | 18000 | 300.0 | 80.0 | 150.0 | 0 | yes |" in markdown


@pytest.mark.parametrize(
    ("timings", "fraction", "expected"),
    [
        ([7.0], 0.95, 7.0),
        ([3.0, 1.0], 0.5, 1.0),
        ([3.0, 1.0], 0.95, 3.0),
        ([float(i) for i in range(1, 201)], 0.95, 190.0),
    ],
)
def test_percentile_is_a_measured_time_for_any_sample_size(timings, fraction, expected):
    assert percentile(timings, fraction) == expected


@pytest.mark.parametrize(("timings", "fraction"), [([], 0.5), ([1.0], 0.0), ([1.0], 1.5)])
def test_percentile_refuses_an_empty_sample_or_a_fraction_outside_0_to_1(timings, fraction):
    with pytest.raises(ValueError):
        percentile(timings, fraction)
