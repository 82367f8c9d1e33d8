"""The benchmark's outputs: machine facts, the JSON file, the Markdown table and ``--compare``.

The JSON file is the record (``compare`` reads it back); the Markdown is the same figures as tables
for a pull request or an issue. Both open with the machine, because a p95 means little without the
cores, the CPU and the PostgreSQL it ran on.
"""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.db import connection

# Figures ``compare`` divides: what a row measured, not what it is (names, counts, targets).
FIGURES = (
    "p50_ms",
    "p95_ms",
    "ingest_seconds",
    "ingest_entities_per_second",
    "ingest_peak_rss_mb",
    "unchanged_refresh_seconds",
    "unchanged_refresh_peak_rss_mb",
    "statistics_job_seconds",
    "throughput_rps",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git(project_dir: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return result.stdout.strip()


def _git_commit(project_dir: Path) -> str:
    """The checkout's commit, marked ``+changes`` when files differ from it (the figures are then not
    of that commit alone)."""
    commit = _git(project_dir, "rev-parse", "--short", "HEAD")
    changed = _git(project_dir, "status", "--porcelain", "--untracked-files=no")
    return f"{commit}+changes" if commit and changed else commit


def machine_facts(project_dir: Path, *, workers: int, requests: int, warmup: int) -> dict[str, Any]:
    """What the figures depend on besides the code: hardware, database, server settings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database = connection.vendor
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git_commit(project_dir),
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "database": database,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn_workers": workers,
        # deploy/gunicorn.conf.py, as in production.
        "gunicorn_worker_class": f"gthread, {os.environ.get('WEB_THREADS', '4')} threads",
        "debug": False,
        "requests_per_query": requests,
        "warmup_requests": warmup,
    }


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def render_markdown(report: dict[str, Any]) -> str:
    """Tables: machine, ingestion rows, then per size each query's p50/p95 against its target."""
    machine = report["machine"]
    lines = ["# Catalog benchmark", "", "| machine | |", "|---|---|"]
    lines += [
        f"| {key} | {str(value).lower() if isinstance(value, bool) else value} |" for key, value in machine.items()
    ]
    if report.get("ingestion"):
        lines += ["", "## Ingestion", ""]
        lines.append(
            "| entities | files | ingest s | entities/s | peak MB | unchanged refresh s | peak MB | statistics job s |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in report["ingestion"]:
            lines.append(
                f"| {row['entities']} | {row['files']} | {row['ingest_seconds']:.2f} | "
                f"{row['ingest_entities_per_second']} | {row['ingest_peak_rss_mb']} | "
                f"{row['unchanged_refresh_seconds']:.2f} | {row['unchanged_refresh_peak_rss_mb']} | "
                f"{row.get('statistics_job_seconds', 0):.2f} |"
            )
    if report.get("ldap"):
        lines += ["", "## ldapOrg provider", ""]
        lines.append(
            "| users | groups | provider run s | process s | peak MB | unchanged run s | process s | peak MB "
            "| statistics job s |"
        )
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in report["ldap"]:
            lines.append(
                f"| {row['users']} | {row['groups']} | {_cell(row['provider_run_seconds'])} | "
                f"{row['run_seconds']:.2f} | {row['run_peak_rss_mb']} | "
                f"{_cell(row['unchanged_provider_run_seconds'])} | "
                f"{row['unchanged_run_seconds']:.2f} | {row['unchanged_run_peak_rss_mb']} | "
                f"{row.get('statistics_job_seconds', 0):.2f} |"
            )
    for run in report.get("api", []):
        lines += ["", f"## Queries at {run['entities']} entities", ""]
        lines += ["| query | p50 ms | p95 ms | target p95 ms | met | requests | errors | example |"]
        lines.append("|---|---:|---:|---:|---|---:|---:|---|")
        for row in run["scenarios"]:
            p50 = _cell(row.get("p50_ms")) if not row.get("skipped") else row["skipped"]
            lines.append(
                f"| {row['name']} | {p50} | {_cell(row.get('p95_ms'))} | {_cell(row['target_p95_ms'])} | "
                f"{_cell(row['met'])} | {row['requests']} | {row['errors']} | `{row['example']}` |"
            )
        notes = [f"- {row['name']}: {row['note']}" for row in run["scenarios"] if row.get("note")]
        failures = [f"- {row['name']}: {sample}" for row in run["scenarios"] for sample in row.get("error_samples", [])]
        lines += ["", "Notes:", *notes] if notes else []
        lines += ["", "Failed checks (first of each query):", *failures] if failures else []
    for run in report.get("load", []):
        lines += ["", f"## Load test at {run['entities']} entities", ""]
        lines += ["| clients | seconds | requests | req/s | p50 ms | p95 ms | errors | met |"]
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---|")
        lines.append(
            f"| {run['clients']} | {run['seconds']} | {run['requests']} | {run['throughput_rps']} | "
            f"{run['p50_ms']} | {run['p95_ms']} | {run['errors']} | {_cell(run['met'])} |"
        )
        lines.append("")
        lines.append(f"Targets: {run['targets']}")
        lines += [f"- failed: {sample}" for sample in run.get("error_samples", [])]
    return "\n".join(lines) + "\n"


def _figures(report: dict[str, Any]) -> dict[str, float]:
    """Every figure of a report under a stable key (section, size, row, figure)."""
    found: dict[str, float] = {}
    for row in report.get("ingestion", []):
        for figure in FIGURES:
            if isinstance(row.get(figure), int | float):
                found[f"ingestion {row['entities']} entities, {row['files']} files: {figure}"] = row[figure]
    for run in report.get("api", []):
        for row in run["scenarios"]:
            for figure in FIGURES:
                if isinstance(row.get(figure), int | float):
                    found[f"{run['entities']} entities, {row['name']}: {figure}"] = row[figure]
    for run in report.get("load", []):
        for figure in FIGURES:
            if isinstance(run.get(figure), int | float):
                found[f"load test {run['entities']} entities, {run['clients']} clients: {figure}"] = run[figure]
    return found


def compare(earlier: dict[str, Any], now: dict[str, Any]) -> list[tuple[str, float, float, float | None]]:
    """(figure, earlier, now, now / earlier) for every figure both runs have, in the new run's order.

    Sizes are matched by entity count as stored; figures only one run has are left out, and a ratio
    to zero is None rather than a division error.
    """
    before = _figures(earlier)
    rows = []
    for key, value in _figures(now).items():
        if key in before:
            old = before[key]
            rows.append((key, old, value, round(value / old, 2) if old else None))
    return rows


def format_comparison(rows: list[tuple[str, float, float, float | None]]) -> list[str]:
    if not rows:
        return ["no figure in common with the earlier run (different sizes or sections?)"]
    width = max(len(key) for key, *_ in rows)
    lines = [f"{'figure':<{width}}  {'earlier':>10}  {'now':>10}  {'now/earlier':>11}"]
    for key, old, new, ratio in rows:
        lines.append(f"{key:<{width}}  {old:>10}  {new:>10}  {'-' if ratio is None else f'{ratio:.2f}':>11}")
    return lines
