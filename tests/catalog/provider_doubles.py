"""A provider for the framework's tests: its entities come from its config value, as written there.

``catalog.providers.static.<id>: {entities: [...], notes: [...], fail: "message", sleep: seconds, schedule: ...}``;
the entities may be replaced between runs through ``STATIC_ENTITIES[provider_id]``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from catalog.providers.base import ProviderError, ProviderOutput, Schedule
from catalog.providers.schedule import schedule_from_config

STATIC_ENTITIES: dict[str, list[dict[str, Any]]] = {}
FACTORIES = {"static": "tests.catalog.provider_doubles:providers_from_config"}


class StaticProvider:
    def __init__(self, provider_id: str, value: Mapping[str, Any], schedule: Schedule) -> None:
        self.provider_id = provider_id
        self.schedule: Schedule | None = schedule
        self.value = value

    def read(self) -> ProviderOutput:
        if self.value.get("sleep"):
            time.sleep(self.value["sleep"])
        failure = self.value.get("fail")
        if failure:
            raise ProviderError(failure)
        entities = STATIC_ENTITIES.get(self.provider_id, self.value.get("entities", []))
        return ProviderOutput(entities=[dict(entity) for entity in entities], notes=list(self.value.get("notes", [])))


def providers_from_config(value: Any, *, path: str) -> list[StaticProvider]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be a mapping")
    providers = []
    for key, entry in value.items():
        schedule = schedule_from_config(entry.get("schedule"), path=f"{path}.{key}.schedule")
        providers.append(StaticProvider(f"static:{key}", entry, schedule))
    return providers


def user(name: str, **spec: Any) -> dict[str, Any]:
    spec = {"memberOf": [], **spec}
    return {"apiVersion": "backstage.io/v1alpha1", "kind": "User", "metadata": {"name": name}, "spec": spec}


def group(name: str, children: list[str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": name},
        "spec": {"type": "team", "children": children or []},
    }
