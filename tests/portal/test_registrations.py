"""The registry remembers which app registered what; Greenroom's five apps use the calls a plugin uses."""

from __future__ import annotations

import types

import pytest
from django.apps import AppConfig

from portal.registry import (
    EntityTab,
    ScaffolderAction,
    register_entity_tab,
    register_scaffolder_action,
    registrations,
    restored_registry,
    scaffolder_action,
    unregister_entity_tab,
    unregister_scaffolder_action,
)


def kinds(app: str) -> set[str]:
    return {entry.kind for entry in registrations(app)}


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("portal", {"nav item"}),
        (
            "catalog",
            {
                "nav item",
                "entity tab",
                "entity card",
                "home widget",
                "metrics collector",
                "readiness detail",
                "identity resolver",
                "search collator",
            },
        ),
        ("scaffolder", {"nav item", "scaffolder action"}),
        ("techdocs", {"nav item", "entity tab", "fact collector"}),
        ("techradar", {"nav item", "entity card", "fact collector"}),
        ("soundcheck", {"nav item", "entity tab", "fact collector"}),
    ],
)
def test_each_app_registered_its_extensions_through_the_registry(app, expected):
    assert kinds(app) == expected


def test_registrations_name_their_keys():
    assert {entry.key for entry in registrations("soundcheck") if entry.kind == "fact collector"} == {
        "catalog",
        "repository",
    }
    assert ("entity tab", "docs") in {(entry.kind, entry.key) for entry in registrations("techdocs")}
    assert "debug:log" in {entry.key for entry in registrations("scaffolder") if entry.kind == "scaffolder action"}


def test_registration_in_ready_belongs_to_the_app_being_readied(tmp_path):
    class ProbeConfig(AppConfig):
        name = "probe_app"

        def ready(self) -> None:
            register_entity_tab(EntityTab("probe", "Probe", "probe/tab.html"))

    module = types.ModuleType("probe_app")
    module.__path__ = [str(tmp_path)]
    with restored_registry():
        ProbeConfig("probe_app", module).ready()
        assert [(entry.kind, entry.key, entry.app) for entry in registrations("probe_app")] == [
            ("entity tab", "probe", "probe_app")
        ]


def test_registration_outside_any_app_has_no_owner():
    with restored_registry():
        register_entity_tab(EntityTab("probe", "Probe", "probe/tab.html"))
        assert [entry.app for entry in registrations() if entry.key == "probe"] == [""]


def test_unregistering_forgets_the_owner():
    with restored_registry():
        register_entity_tab(EntityTab("probe", "Probe", "probe/tab.html"))
        unregister_entity_tab("probe")
        assert [entry for entry in registrations() if entry.key == "probe"] == []


def test_restored_registry_puts_owners_back():
    before = registrations()
    with restored_registry():
        register_scaffolder_action(ScaffolderAction(id="probe:act", handler=lambda ctx: None))
    assert registrations() == before and scaffolder_action("probe:act") is None


def test_scaffolder_action_id_registered_twice_is_refused_unless_replaced():
    with restored_registry():
        first = register_scaffolder_action(ScaffolderAction(id="probe:act", handler=lambda ctx: None))
        with pytest.raises(ValueError, match="an action with id 'probe:act' is already registered"):
            register_scaffolder_action(ScaffolderAction(id="probe:act", handler=lambda ctx: None))
        assert scaffolder_action("probe:act") is first
        second = register_scaffolder_action(ScaffolderAction(id="probe:act", handler=lambda ctx: None), replace=True)
        assert scaffolder_action("probe:act") is second
        unregister_scaffolder_action("probe:act")
        assert scaffolder_action("probe:act") is None


def test_scaffolder_action_with_an_invalid_schema_is_refused():
    from jsonschema import SchemaError

    with restored_registry(), pytest.raises(SchemaError):
        register_scaffolder_action(ScaffolderAction(id="probe:bad", handler=lambda ctx: None, input_schema={"type": 5}))
    assert scaffolder_action("probe:bad") is None


def test_plain_scaffolder_action_runs_with_the_scaffolders_checks():
    from scaffolder.actions import ActionInputError, all_actions, get_action

    with restored_registry():
        register_scaffolder_action(
            ScaffolderAction(
                id="probe:act", handler=lambda ctx: None, input_schema={"type": "object", "required": ["x"]}
            )
        )
        action = get_action("probe:act")
        with pytest.raises(ActionInputError, match="input 'x' is a required property"):
            action.validate({})
        assert "probe:act" in [item.as_backstage()["id"] for item in all_actions()]
