"""Printing a refresh report the same way from every command."""

from __future__ import annotations

from django.core.management.base import OutputWrapper

from catalog.services import RefreshReport


def write_report(stdout: OutputWrapper, stderr: OutputWrapper, label: str, report: RefreshReport) -> None:
    stdout.write(
        f"{label}: {len(report.added)} added, {len(report.changed)} changed, {report.unchanged} unchanged, "
        f"{len(report.orphaned)} orphaned, {len(report.refused)} refused"
        + (f" (commit {report.commit[:12]})" if report.commit else "")
    )
    for ref in report.added:
        stdout.write(f"  added     {ref}")
    for ref in report.changed:
        stdout.write(f"  changed   {ref}")
    for ref in report.orphaned:
        stdout.write(f"  orphaned  {ref}")
    for error in report.refused:
        stderr.write(f"  refused   {error}")
