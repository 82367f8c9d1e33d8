"""The management commands scripts and CI rely on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Entity, Location
from tests.conftest import component


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_register_wait_loads_and_prints_what_was_added(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    out, _ = run("catalog_register", str(path), "--wait")
    assert "added     component:default/web" in out
    assert Entity.objects.filter(ref="component:default/web").exists()


@pytest.mark.django_db
def test_register_wait_exits_non_zero_and_prints_refusals(write_file):
    path = write_file("catalog-info.yaml", component("bad name"))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("catalog_register", str(path), "--wait", stdout=StringIO(), stderr=err)
    assert "metadata.name" in err.getvalue()


@pytest.mark.django_db
def test_register_without_wait_queues_a_refresh(write_file, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portal.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            out, _ = run("catalog_register", str(write_file("catalog-info.yaml", component("web"))))
    finally:
        app.conf.task_always_eager = False
    assert "queued" in out
    assert Entity.objects.filter(ref="component:default/web").exists()


@pytest.mark.django_db
def test_refresh_one_location_reports_changes(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    run("catalog_register", str(path), "--wait")
    write_file("catalog-info.yaml", component("web", owner="team-b"))
    out, _ = run("catalog_refresh", str(path))
    assert "changed   component:default/web" in out


@pytest.mark.django_db
def test_refresh_all_includes_configured_locations(write_file, settings):
    path = write_file("catalog-info.yaml", component("web"))
    settings.CATALOG = {**settings.CATALOG, "LOCATIONS": [{"type": "file", "target": str(path)}]}
    from catalog import config

    config.catalog_settings.cache_clear()
    run("catalog_refresh", "--all")
    assert Location.objects.get().origin == Location.Origin.CONFIG
    assert Entity.objects.filter(ref="component:default/web").exists()


@pytest.mark.django_db
def test_refresh_unknown_location_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no registered location"):
        run("catalog_refresh", str(tmp_path / "nope.yaml"))


def test_validate_prints_ok_per_document(write_file):
    path = write_file("catalog-info.yaml", component("web") + "---\n" + component("api"))
    out, _ = run("catalog_validate", str(path))
    assert out.splitlines() == [
        f"{path}:1: document 1: ok component:default/web",
        f"{path}:9: document 2: ok component:default/api",
    ]


def test_validate_names_file_line_and_field_and_fails(write_file):
    path = write_file("catalog-info.yaml", component("web") + "---\n" + component("web", dependsOn="[artists-db]"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 invalid document"):
        call_command("catalog_validate", str(path), stdout=StringIO(), stderr=err)
    assert f"{path}:9: document 2 (component:default/web): spec.dependsOn[0]:" in err.getvalue()


def test_validate_reports_yaml_errors_with_line(write_file):
    path = write_file("catalog-info.yaml", "kind: Component\nkind: API\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("catalog_validate", str(path), stdout=StringIO(), stderr=err)
    assert str(path) in err.getvalue() and "2" in err.getvalue()


def test_validate_missing_file_fails(tmp_path):
    with pytest.raises(CommandError):
        call_command("catalog_validate", str(tmp_path / "none.yaml"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_history_lists_changes_and_shows_a_past_version(write_file):
    path = write_file("catalog-info.yaml", component("web"))
    run("catalog_register", str(path), "--wait")
    write_file("catalog-info.yaml", component("web", owner="team-b"))
    run("catalog_refresh", str(path))

    listing, _ = run("catalog_history", "component:default/web")
    lines = listing.splitlines()
    assert len(lines) == 2 and "created" in lines[0] and "updated" in lines[1] and "[spec.owner]" in lines[1]
    from django.utils import timezone

    shown, _ = run("catalog_history", "component:default/web", "--at", timezone.now().isoformat())
    assert '"owner": "team-b"' in shown


@pytest.mark.django_db
def test_history_of_unknown_entity_is_an_error():
    with pytest.raises(CommandError, match="no recorded history"):
        run("catalog_history", "component:default/nothing")
