"""What the latency benchmark asks about, drawn from the catalog that is loaded.

Every request names data that exists (a component's name, a team that owns components, a tag in
use, a word of a name), so the benchmark measures answers rather than 404s and empty pages, and
the counts tell which pages exist at this size (page 1,000 of 50 needs 50,000 components).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.fields.json import KT

from catalog.models import Entity

# Names and bodies read for the sample; enough for 200 different values per query.
SAMPLE_SIZE = 500


@dataclass(frozen=True)
class CatalogSample:
    """Real values from the catalog, and the counts that say which pages hold data."""

    entities: int
    components: int
    component_names: list[str]
    # Owners as written in spec.owner (a bare Group name in the generated data).
    owners: list[str]
    # Owners of production components, with how many production components each owns.
    production_owners: dict[str, int]
    tags: list[str]
    name_words: list[str]
    spec_types: list[str]
    # Whether any sampled component has metadata.title (the generated ones have none).
    has_titles: bool = False

    @property
    def has_data(self) -> bool:
        return bool(self.component_names)


def _components():
    return Entity.objects.filter(kind__iexact="component")


def draw_sample(rng: random.Random) -> CatalogSample:
    """A sample of components drawn with ``rng``, so one seed on one catalog gives the same requests
    (runs compared with ``--compare`` ask the same questions); a few queries at 250,000 entities."""
    names = list(_components().order_by("name").values_list("name", flat=True))
    chosen = rng.sample(names, min(SAMPLE_SIZE, len(names)))
    bodies = dict(_components().filter(name__in=chosen).values_list("name", "body"))
    rows = [(name, bodies[name]) for name in chosen if name in bodies]
    owners: Counter[str] = Counter()
    production: set[str] = set()
    tags: Counter[str] = Counter()
    types: Counter[str] = Counter()
    titled = False
    for _, body in rows:
        spec, metadata = body.get("spec") or {}, body.get("metadata") or {}
        owner = str(spec.get("owner") or "")
        if owner:
            owners[owner] += 1
            if spec.get("lifecycle") == "production":
                production.add(owner)
        titled = titled or bool(metadata.get("title"))
        tags.update(str(tag) for tag in metadata.get("tags") or [])
        if spec.get("type"):
            types[str(spec["type"])] += 1
    production_counts = dict(
        _components()
        .filter(lifecycle__iexact="production")
        .annotate(owner=KT("body__spec__owner"))
        .filter(owner__in=sorted(production))
        .values_list("owner")
        .annotate(count=Count("pk"))
    )
    names = [name for name, _ in rows]
    return CatalogSample(
        entities=Entity.objects.count(),
        components=_components().count(),
        component_names=names,
        owners=[owner for owner, _ in owners.most_common()],
        production_owners=production_counts,
        tags=[tag for tag, _ in tags.most_common()],
        # "payment-service-12": the first word is one of the generator's nouns, shared by many names.
        name_words=sorted({name.split("-")[0] for name in names if "-" in name}),
        spec_types=[value for value, _ in types.most_common()],
        has_titles=titled,
    )
