"""Measuring the ldapOrg provider: a generated directory in a real slapd, one run in a child process.

The child runs ``manage.py catalog_providers refresh ldapOrg:bench --wait`` in-process (the
file-system broker of the embedded default), the same service a worker runs, so its wall time and
peak resident memory are a worker's for that run. A second run of the unchanged directory follows,
then the statistics job the first run queued, timed on its own as ingestion's is.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog.models import Entity
from catalog.services.statistics import refresh_planner_statistics

from .ingestion import IngestionFailed, run_measured
from .ldap_directory import GROUPS, PEOPLE, organisation
from .slapd import ROOT_DN, SlapdServer

PROVIDER_ID = "ldapOrg:bench"
# The embedded default: the run happens in the child (catalog_providers runs it inline); the jobs it
# queues (the search index sync) wait in the file-system queue instead of being timed with it.
BROKER = "filesystem://"


def group_levels(users: int) -> tuple[int, ...]:
    """Groups four deep, about one deepest group per 40 users (3,000 groups for 100,000 users)."""
    leaves = max(4, users // 40)
    return (max(1, leaves // 300), max(2, leaves // 40), max(3, leaves // 5), leaves)


def app_config(url: str) -> str:
    return (
        "catalog:\n  providers:\n    ldapOrg:\n      bench:\n"
        f"        target: {url}\n        bind: {{dn: '{ROOT_DN}', secret: '${{LDAP_SECRET}}'}}\n"
        f"        users: {{dn: '{PEOPLE}', options: {{filter: '(objectClass=inetOrgPerson)',"
        " paged: {pageSize: 1000}}}\n"
        f"        groups: {{dn: '{GROUPS}', options: {{filter: '(objectClass=groupOfNames)', paged: true}}}}\n"
        "        schedule: {frequency: {hours: 1}, timeout: {minutes: 30}}\n"
    )


def ldap_benchmark(users: int, project_dir: Path, say: Callable[[str], None]) -> dict:
    """Generate ``users`` users in a new slapd, run the provider into the (emptied) catalog, twice."""
    levels = group_levels(users)
    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory(prefix="greenroom-ldap-bench-") as scratch:
        started = time.perf_counter()
        directory = organisation(users, levels)
        server = SlapdServer(Path(scratch) / "slapd", password=password)
        server.slapadd(directory.ldif)
        say(
            f"{users} users and {sum(levels)} groups {levels}: "
            f"generated and loaded in {time.perf_counter() - started:.1f}s"
        )
        config = Path(scratch) / "app-config.yaml"
        config.write_text(app_config(server.url))
        env = {"GREENROOM_CONFIG": str(config), "LDAP_SECRET": password, "CELERY_BROKER_URL": BROKER}
        server.start()
        try:
            command = ["catalog_providers", "refresh", PROVIDER_ID, "--wait"]
            first = run_measured(command, project_dir, env)
            if first.exit_code:
                raise IngestionFailed(f"the provider run failed:\n{first.output[-3000:]}")
            unchanged = run_measured(command, project_dir, env)
            if unchanged.exit_code:
                raise IngestionFailed(f"the unchanged run failed:\n{unchanged.output[-3000:]}")
        finally:
            server.stop()
    # The job a large run queues (catalog.analyze), run here as the worker would run it: no worker
    # consumes the benchmark's queue.
    started = time.perf_counter()
    refresh_planner_statistics()
    statistics_seconds = time.perf_counter() - started
    stored_users = Entity.objects.filter(kind="User", location__target=PROVIDER_ID).count()
    stored_groups = Entity.objects.filter(kind="Group", location__target=PROVIDER_ID).count()
    if (stored_users, stored_groups) != (users, sum(levels)):
        raise IngestionFailed(
            f"expected {users} users and {sum(levels)} groups, found {stored_users} and {stored_groups}"
        )
    return {
        "users": users,
        "groups": stored_groups,
        # The provider's own run as it reports it; the process's wall time adds Django's start.
        "provider_run_seconds": _reported_seconds(first.output),
        "run_seconds": round(first.seconds, 2),
        "run_peak_rss_mb": round(first.peak_rss_mb),
        "unchanged_run_seconds": round(unchanged.seconds, 2),
        "unchanged_run_peak_rss_mb": round(unchanged.peak_rss_mb),
        "unchanged_provider_run_seconds": _reported_seconds(unchanged.output),
        "statistics_job_seconds": round(statistics_seconds, 2),
    }


def _reported_seconds(output: str) -> float | None:
    match = re.search(r"entities in ([0-9.]+)s", output)
    return float(match.group(1)) if match else None
