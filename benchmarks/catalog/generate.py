"""Synthetic Backstage organisations for the catalog benchmark.

`generate_org()` writes a deterministic tree of catalog-info files: groups in a
hierarchy, users in teams, domains, systems, components wired to APIs and
each other, and a root `catalog-info.yaml` Location covering them. The YAML is
written with string templates, because `yaml.dump` of 100,000 entities takes
minutes; every value is drawn from fixed word lists, so no escaping is needed.

    python -m benchmarks.catalog.generate /tmp/org --entities 100000 --files 2000
"""

import argparse
import os
import random
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import words

API_VERSION = "backstage.io/v1alpha1"
MIN_ENTITIES = 20
# A real company's shape: for every N components, N/10 APIs, N/20 Systems, N/100 Domains, N/50 Groups
# and N/5 Users, so Components are 72.5 % of all rows. The root Location is one more.
PER_COMPONENT = {"Group": 1 / 50, "User": 1 / 5, "Domain": 1 / 100, "System": 1 / 20, "API": 1 / 10}
MIN_COUNTS = {"Group": 4, "User": 1, "Domain": 1, "System": 1, "API": 1}
# Up to this many files the root Location lists them; beyond, one glob keeps it small.
MAX_LISTED_TARGETS = 20
FILES_PER_DIRECTORY = 100
GIT_DATE = "2026-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class OrgShape:
    """How big an organisation to generate: total entities, the files they spread over, the seed."""

    entities: int
    files: int
    seed: int = 42


@dataclass(frozen=True)
class GeneratedOrg:
    """What `generate_org()` wrote.

    `counts` includes the root Location, so `entities` equals `OrgShape.entities`. `files` counts the
    entity files, not the root `catalog-info.yaml`; `bytes_written` covers both.
    """

    root: Path
    counts: dict[str, int]
    files: int
    bytes_written: int
    commit: str | None

    @property
    def entities(self) -> int:
        return sum(self.counts.values())

    @property
    def location(self) -> Path:
        return self.root / "catalog-info.yaml"


def kind_counts(entities: int) -> dict[str, int]:
    """How many entities of each kind an organisation of `entities` gets."""
    if entities < MIN_ENTITIES:
        raise ValueError(f"an organisation needs at least {MIN_ENTITIES} entities, not {entities}")
    components = (entities - 1) / (1 + sum(PER_COMPONENT.values()))
    counts = {kind: max(MIN_COUNTS[kind], round(components * ratio)) for kind, ratio in PER_COMPONENT.items()}
    counts["Location"] = 1
    counts["Component"] = entities - sum(counts.values())
    return counts


class _Builder:
    """Draws the organisation from one seeded RNG and renders each entity as a YAML document."""

    def __init__(self, counts: dict[str, int], seed: int) -> None:
        self.rng = random.Random(seed)
        self.counts = counts
        self.documents: list[str] = []

    def pick(self, names: list[str], low: int, high: int, exclude: str = "") -> list[str]:
        """Between `low` and `high` distinct names, sorted as Backstage stores them (§5)."""
        wanted = min(self.rng.randint(low, high), len(names))
        chosen = {names[self.rng.randrange(len(names))] for _ in range(wanted)}
        chosen.discard(exclude)
        return sorted(chosen)

    def word(self, choices: tuple[str, ...]) -> str:
        return choices[self.rng.randrange(len(choices))]

    def build(self) -> list[str]:
        self.groups()
        self.users()
        self.domains()
        self.systems()
        self.apis()
        self.components()
        self.rng.shuffle(self.documents)
        return self.documents

    def groups(self) -> None:
        total = self.counts["Group"]
        divisions = max(1, round(total * 0.05))
        departments = max(1, round(total * 0.2))
        teams = total - 1 - divisions - departments
        self.root_group = "bench-org"
        self.divisions = [f"{self.word(words.AREAS)}-division-{i}" for i in range(divisions)]
        self.departments = [f"{self.word(words.AREAS)}-department-{i}" for i in range(departments)]
        self.teams = [f"{self.word(words.AREAS)}-{self.word(words.NOUNS)}-team-{i}" for i in range(teams)]
        parents = {name: self.root_group for name in self.divisions}
        parents |= {name: self.divisions[self.rng.randrange(divisions)] for name in self.departments}
        parents |= {name: self.departments[self.rng.randrange(departments)] for name in self.teams}
        children: dict[str, list[str]] = {}
        for child, parent in parents.items():
            children.setdefault(parent, []).append(child)
        levels = [("organization", [self.root_group]), ("division", self.divisions)]
        levels += [("department", self.departments), ("team", self.teams)]
        for group_type, names in levels:
            for name in names:
                parent = f"\n  parent: {parents[name]}" if name in parents else ""
                self.documents.append(
                    f"""apiVersion: {API_VERSION}
kind: Group
metadata:
  name: {name}
  description: "Group {name}, a {group_type}."
spec:
  type: {group_type}
  profile:
    displayName: {name.replace("-", " ").title()}
    email: {name}@bench.example{parent}
  children: [{", ".join(sorted(children.get(name, [])))}]
"""
                )

    def users(self) -> None:
        for i in range(self.counts["User"]):
            first, last = self.word(words.FIRST_NAMES), self.word(words.LAST_NAMES)
            name = f"{first}.{last}{i}"
            self.documents.append(
                f"""apiVersion: {API_VERSION}
kind: User
metadata:
  name: {name}
spec:
  profile:
    displayName: {first.title()} {last.title()}
    email: {name}@bench.example
  memberOf: [{", ".join(self.pick(self.teams, 1, 2))}]
"""
            )

    def domains(self) -> None:
        owners = self.divisions + self.departments
        self.domain_names = [f"{self.word(words.AREAS)}-domain-{i}" for i in range(self.counts["Domain"])]
        for name in self.domain_names:
            self.documents.append(
                f"""apiVersion: {API_VERSION}
kind: Domain
metadata:
  name: {name}
  description: "Everything about {name.rsplit("-", 2)[0]}."
spec:
  owner: {owners[self.rng.randrange(len(owners))]}
"""
            )

    def systems(self) -> None:
        self.system_names = []
        for i in range(self.counts["System"]):
            name = f"{self.word(words.AREAS)}-{self.word(words.NOUNS)}-system-{i}"
            self.system_names.append(name)
            self.documents.append(
                f"""apiVersion: {API_VERSION}
kind: System
metadata:
  name: {name}
  description: "Handles {self.word(words.NOUNS)} {self.word(words.VERBS)} for {self.word(words.AREAS)}."
spec:
  owner: {self.word_from(self.teams)}
  domain: {self.word_from(self.domain_names)}
"""
            )

    def word_from(self, names: list[str]) -> str:
        return names[self.rng.randrange(len(names))]

    def apis(self) -> None:
        self.api_names = []
        for i in range(self.counts["API"]):
            api_type = self.word(words.API_TYPES)
            noun = self.word(words.NOUNS)
            verb = self.word(words.VERBS)
            name = f"{noun}-{verb}-api-{i}"
            self.api_names.append(name)
            definition = words.DEFINITIONS[api_type].format(name=name, noun=noun, noun_type=noun.title(), minor=i % 10)
            self.documents.append(
                f"""apiVersion: {API_VERSION}
kind: API
metadata:
  name: {name}
  description: "{api_type} API for {noun} {verb}."
  tags: [{api_type}]
spec:
  type: {api_type}
  lifecycle: {self.word(words.LIFECYCLES)}
  owner: {self.word_from(self.teams)}
  system: {self.word_from(self.system_names)}
  definition: |
{definition}"""
            )

    def components(self) -> None:
        total = self.counts["Component"]
        types = [self.word(words.COMPONENT_TYPES) for _ in range(total)]
        names = [
            f"{self.word(words.NOUNS)}-{self.word(words.COMPONENT_SUFFIXES[kind])}-{i}" for i, kind in enumerate(types)
        ]
        provides: list[list[str]] = [[] for _ in range(total)]
        for api in self.api_names:
            # Each API gets one provider with room left (at most three APIs per component).
            index = self.rng.randrange(total)
            for _ in range(total):
                if len(provides[index]) < 3:
                    provides[index].append(api)
                    break
                index = (index + 1) % total
        dependency_targets = [f"component:{name}" for name in names]
        for i, (name, component_type) in enumerate(zip(names, types, strict=True)):
            spec = [
                f"  type: {component_type}",
                f"  lifecycle: {self.word(words.LIFECYCLES)}",
                f"  owner: {self.word_from(self.teams)}",
                f"  system: {self.word_from(self.system_names)}",
            ]
            if provides[i]:
                spec.append(f"  providesApis: [{', '.join(sorted(provides[i]))}]")
            consumes = [api for api in self.pick(self.api_names, 0, 3) if api not in provides[i]]
            if consumes:
                spec.append(f"  consumesApis: [{', '.join(consumes)}]")
            depends = self.pick(dependency_targets, 0, 3, exclude=f"component:{name}")
            if depends:
                spec.append(f"  dependsOn: [{', '.join(depends)}]")
            annotations = [f"    github.com/project-slug: bench-org/{name}"]
            if component_type == "service":
                annotations.append(f"    pagerduty.com/service-id: P{self.rng.randrange(36**6):06X}")
            if i % 5 == 0:
                annotations.append("    backstage.io/techdocs-ref: dir:.")
            tags = ", ".join(self.pick(list(words.TAGS), 1, 3))
            # Half the components carry a title, as in real catalogs (lists can be ordered by it).
            title = f"\n  title: {name.replace('-', ' ').title()}" if i % 2 == 0 else ""
            self.documents.append(
                f"""apiVersion: {API_VERSION}
kind: Component
metadata:
  name: {name}{title}
  description: "{component_type.title()} for {self.word(words.NOUNS)} {self.word(words.VERBS)}."
  tags: [{tags}]
  annotations:
{chr(10).join(annotations)}
spec:
{chr(10).join(spec)}
"""
            )


def _file_paths(files: int) -> list[str]:
    width = max(5, len(str(files - 1)))
    return [f"org/part-{k // FILES_PER_DIRECTORY:03d}/entities-{k:0{width}d}.yaml" for k in range(files)]


def _root_location(paths: list[str], shape: OrgShape) -> str:
    targets = [f"./{path}" for path in paths] if len(paths) <= MAX_LISTED_TARGETS else ["./org/**/*.yaml"]
    target_lines = "\n".join(f"    - {target}" for target in targets)
    return f"""apiVersion: {API_VERSION}
kind: Location
metadata:
  name: bench-org
  description: "Synthetic organisation: {shape.entities} entities, {shape.files} files, seed {shape.seed}."
spec:
  targets:
{target_lines}
"""


def _git_commit(root: Path) -> str:
    """Commit the tree with fixed identity and dates, so the same seed gives the same sha."""
    env = os.environ | {
        "GIT_AUTHOR_DATE": GIT_DATE,
        "GIT_COMMITTER_DATE": GIT_DATE,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    identity = ["-c", "user.name=Greenroom Benchmark", "-c", "user.email=benchmark@greenroom.invalid"]

    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True)
        return result.stdout.strip()

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git(*identity, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "Generated benchmark organisation")
    return git("rev-parse", "HEAD")


def generate_org(root: Path, shape: OrgShape, *, git: bool = True) -> GeneratedOrg:
    """Write a synthetic organisation of `shape.entities` entities over `shape.files` files under `root`.

    `root` must be missing or empty. The output depends only on `shape`. With `git`, the tree is
    committed in a new repository at `root`, so it can be read as a git location.
    """
    counts = kind_counts(shape.entities)
    if not 1 <= shape.files <= shape.entities - 1:
        raise ValueError(f"files must be between 1 and {shape.entities - 1}, not {shape.files}")
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    documents = _Builder(counts, shape.seed).build()
    paths = _file_paths(shape.files)
    bytes_written = 0
    for k, path in enumerate(paths):
        start, end = k * len(documents) // shape.files, (k + 1) * len(documents) // shape.files
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        bytes_written += target.write_bytes("---\n".join(documents[start:end]).encode())
    bytes_written += (root / "catalog-info.yaml").write_bytes(_root_location(paths, shape).encode())
    commit = _git_commit(root) if git else None
    return GeneratedOrg(root=root, counts=counts, files=len(paths), bytes_written=bytes_written, commit=commit)


def main(argv: list[str] | None = None) -> None:
    """Generate an organisation from the command line and report counts and time taken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    org = generate_org(args.root, OrgShape(args.entities, args.files, args.seed), git=not args.no_git)
    elapsed = time.perf_counter() - started
    kinds = ", ".join(f"{kind} {count}" for kind, count in Counter(org.counts).most_common())
    print(f"{org.entities} entities ({kinds}) in {org.files} files, {org.bytes_written} bytes, {elapsed:.2f}s")
    print(f"commit {org.commit}" if org.commit else "no git")


if __name__ == "__main__":
    main()
