"""``manage.py soundcheck_benchmark``: time a full evaluation and incremental ones over synthetic facts.

With ``--entities N`` it first registers N synthetic components through the catalog's services (a
``file`` location of generated files in a scratch directory, refreshed once, so the catalog holds N + 1
entities with its Location entity; removed afterwards unless ``--keep``); otherwise it uses the catalog
as it is. It writes synthetic facts
for every entity (kept with the entities under ``--keep``, rewritten by the next run), defines
``--checks`` checks under a ``bench-`` prefix in two tracks that together
select every entity, times ``evaluate_all`` three times (every result new; nothing changed; one
fact changed for 10% of the entities) and ``--incremental`` ``evaluate_entity`` calls, and prints
p50/p95, the peak memory (resident set) of the process, and on Linux the peak of the evaluations
alone (the peak is reset once the catalog and facts are written). Benchmark checks and tracks are
removed at the end (their results and fingerprints with them), and so are the facts and entities
unless ``--keep``: a later run without ``--entities`` then measures a first evaluation again over them.

Checks and tracks are a definitions document applied through ``apply_definitions`` (location
``benchmark``; applying nothing there removes them), facts go through ``record_facts`` and leave
through ``delete_facts``: the benchmark writes Soundcheck's tables only through its services.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from catalog.config import admit_local_root
from catalog.models import Entity, Location
from catalog.services import delete_location, refresh_location, register_location, validate_location_spec
from soundcheck.definitions.parse import Definitions, parse_definitions
from soundcheck.facts import FactRecord
from soundcheck.models import Check, Source
from soundcheck.services.definitions import apply_definitions
from soundcheck.services.evaluations import evaluate_all, evaluate_entity
from soundcheck.services.facts import delete_facts, record_facts

PREFIX = "bench-"
# Where the benchmark's definitions are stored from, and the collector of its facts.
LOCATION = "benchmark"
COLLECTOR = "benchmark"
# Entities per record_facts call: 12 facts each, so one batch reads and writes a few thousand rows.
FACT_BATCH_ENTITIES = 400
# Components per generated file: about 200 KB, far below CATALOG_MAX_FILE_BYTES.
ENTITIES_PER_FILE = 1000


def _rule(index: int) -> dict:
    """The rule of check ``index`` as written in a definitions file (``parse_definitions`` parses it)."""
    fact = f"bench.f{index % 10}"
    shapes = [
        {"fact": fact, ">=": 50},
        {"fact": fact, "exists": True},
        {"all": [{"fact": fact, "<": 90}, {"fact": "bench.flag", "equals": True}]},
        {"any": [{"fact": fact, ">": 75}, {"not": {"fact": "bench.flag", "equals": False}}]},
        {"fact": "bench.stamp", "max_age": "30d"},
    ]
    return shapes[index % len(shapes)]


class Command(BaseCommand):
    help = "Time Soundcheck's bulk and incremental evaluation on synthetic facts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--entities", type=int, default=0, help="Create this many synthetic entities first.")
        parser.add_argument("--checks", type=int, default=30)
        parser.add_argument("--incremental", type=int, default=100)
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic entities and facts.")

    def handle(self, *args, entities: int, checks: int, incremental: int, keep: bool, **options) -> None:
        if checks < 1 or entities < 0:
            raise CommandError("--checks must be at least 1 and --entities not negative")
        call_command("migrate", interactive=False, verbosity=0)  # a fresh benchmark database works as is
        if Check.objects.filter(key__startswith=PREFIX).exists():
            raise CommandError("benchmark definitions (bench-*) left by an interrupted run: remove them first")
        location = None
        if entities:
            with tempfile.TemporaryDirectory(prefix="soundcheck-benchmark-") as scratch:
                location = self._create_entities(entities, Path(scratch))
        refs = list(Entity.objects.values_list("ref", flat=True))
        if not refs:
            raise CommandError("the catalog is empty: pass --entities N")
        try:
            self._define(checks)
            self._facts(refs)
            _maintain("ANALYZE")  # as autovacuum would have by the time a real catalog is evaluated
            self.stdout.write(f"entities: {len(refs)}, checks: {checks}")
            setup_peak = _peak_memory_mib()  # resetting the peak resets ru_maxrss too
            evaluation_peak = _reset_peak()
            for label in ("full evaluation (all new)", "full evaluation (unchanged)", "full evaluation (10% changed)"):
                if "10%" in label:
                    self._change_facts(refs)
                summary = evaluate_all()
                self.stdout.write(
                    f"{label}: {summary.seconds:.2f} s for {summary.entities} entities, "
                    f"{summary.results} results, {summary.check_changes} check changes"
                )
            timings = []
            for ref in random.Random(1).choices(refs, k=incremental):
                started = time.perf_counter()
                evaluate_entity(ref)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
            self.stdout.write(
                f"incremental ({incremental} entities): p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms"
            )
            if evaluation_peak:
                self.stdout.write(f"peak memory of the evaluations: {_peak_since_reset():.0f} MiB")
            self.stdout.write(f"peak memory: {max(setup_peak, _peak_memory_mib()):.0f} MiB")
        finally:
            self._clean(location, keep)

    def _create_entities(self, count: int, directory: Path) -> Location:
        """Register and ingest ``count`` components as a location of generated files in ``directory``."""
        for start in range(0, count, ENTITIES_PER_FILE):
            documents = [
                f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bench-{index:06d}
  namespace: default
spec:
  type: service
  lifecycle: production
  owner: team-{index % 50}
"""
                for index in range(start, min(start + ENTITIES_PER_FILE, count))
            ]
            (directory / f"components-{start // ENTITIES_PER_FILE:04d}.yaml").write_text("---\n".join(documents))
        # The operator's own generated files, read once: the location's refresh is done before they go.
        admit_local_root(directory)
        location = register_location(validate_location_spec("file", str(directory / "*.yaml")), trusted=True)
        report = refresh_location(location)
        if not report.ok or len(report.added) != count + 1:
            delete_location(location)
            problems = [str(error) for error in report.refused[:3]] + report.conflicts[:3]
            raise CommandError(f"the synthetic location gave {len(report.added)} of {count + 1} entities: {problems}")
        return location

    def _define(self, count: int) -> None:
        keys = [f"{PREFIX}{index}" for index in range(count)]
        half = max(count // 2, 1)
        # Every check applies to every entity: one track selects all, the other names every kind
        # in the catalog, so filters are evaluated too.
        kinds = sorted({kind.lower() for kind in Entity.objects.values_list("kind", flat=True).distinct()})
        tracks = []
        for track_index, group in enumerate((keys[:half], keys[half:])):
            if not group:
                continue
            levels = [{"name": f"L{ordinal}", "checks": group[ordinal - 1 :: 3]} for ordinal in range(1, 4)]
            track = {"key": f"{PREFIX}track-{track_index}", "name": f"Bench {track_index}", "levels": levels}
            if track_index:
                track["filter"] = {"kind": kinds}
            tracks.append(track)
        document = {
            "checks": [{"key": key, "name": f"Bench {index}", "rule": _rule(index)} for index, key in enumerate(keys)],
            "tracks": tracks,
        }
        # JSON is YAML 1.2: the document is read as a definitions file in the repository would be.
        definitions = parse_definitions(json.dumps(document).encode(), LOCATION)
        apply_definitions(definitions, Source.REPOSITORY, LOCATION)

    def _facts(self, refs: list[str]) -> None:
        now = timezone.now()
        rng = random.Random(7)
        for start in range(0, len(refs), FACT_BATCH_ENTITIES):
            records = []
            for ref in refs[start : start + FACT_BATCH_ENTITIES]:
                values = {f"bench.f{index}": rng.randint(0, 100) for index in range(10)}
                values |= {"bench.flag": rng.random() < 0.7, "bench.stamp": now.isoformat()}
                records += [FactRecord(ref, name, value) for name, value in values.items()]
            record_facts(records, COLLECTOR, now)

    def _change_facts(self, refs: list[str]) -> None:
        """Give a tenth of the entities a new ``bench.f0`` (through ``record_facts``, as collectors do)."""
        rng = random.Random(11)
        changed = rng.sample(refs, max(len(refs) // 10, 1))
        for start in range(0, len(changed), 5000):
            records = [FactRecord(ref, "bench.f0", rng.randint(0, 100)) for ref in changed[start : start + 5000]]
            record_facts(records, COLLECTOR)

    def _clean(self, location: Location | None, keep: bool) -> None:
        apply_definitions(Definitions(), Source.REPOSITORY, LOCATION)
        evaluate_all()  # drops the fingerprints (and any result) of entities nothing applies to now
        if not keep:
            delete_facts(COLLECTOR)
            if location is not None:
                delete_location(location)
        _maintain("VACUUM (ANALYZE)")  # the next run starts without millions of dead rows


def _maintain(command: str) -> None:
    """Run ANALYZE or VACUUM over Soundcheck's tables (PostgreSQL; other databases need none)."""
    if connection.vendor != "postgresql":
        return
    if command.startswith("VACUUM") and connection.in_atomic_block:  # VACUUM cannot run in a transaction
        command = "ANALYZE"
    tables = [model._meta.db_table for model in apps.get_app_config("soundcheck").get_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"{command} " + ", ".join(connection.ops.quote_name(table) for table in tables))


def _reset_peak() -> bool:
    """Reset this process's peak resident set (Linux: ``VmHWM``); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_since_reset() -> float:
    """The peak resident set in MiB since ``_reset_peak`` (``VmHWM`` of /proc/self/status, in KiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_memory_mib() -> float:
    """This process's peak resident set size (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
