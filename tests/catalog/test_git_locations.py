"""Git repositories as locations: globs, branches, updates, history with commits, and failures."""

from __future__ import annotations

import shutil

import pytest

from catalog.models import Entity, EntityHistory, Location
from catalog.services import LocationError, parse_location_target, refresh_location, register_location
from tests.conftest import component

pytestmark = pytest.mark.django_db


def register(target: str) -> Location:
    return register_location(parse_location_target(target), trusted=True)


def test_reads_a_glob_across_the_repository(git_repo):
    repo = git_repo()
    repo.commit(
        {
            "services/web/catalog-info.yaml": component("web"),
            "services/api/catalog-info.yaml": component("api"),
        }
    )
    location = register(f"{repo.url}#main:**/catalog-info.yaml")

    report = refresh_location(location)

    assert set(report.added) == {location.entity_ref, "component:default/api", "component:default/web"}
    web = Entity.objects.get(ref="component:default/web")
    assert web.location_key == f"url:{repo.url}#main:services/web/catalog-info.yaml"


def test_history_records_the_commit_of_each_change(git_repo):
    repo = git_repo()
    first = repo.commit({"catalog-info.yaml": component("web")})
    location = register(repo.url)
    refresh_location(location)
    second = repo.commit({"catalog-info.yaml": component("web", owner="team-b")})

    refresh_location(location)

    commits = list(
        EntityHistory.objects.filter(entity_ref="component:default/web")
        .order_by("generation")
        .values_list("commit", flat=True)
    )
    assert commits == [first, second]
    location.refresh_from_db()
    assert location.last_commit == second


def test_reads_the_named_branch(git_repo):
    repo = git_repo()
    repo.commit({"catalog-info.yaml": component("web")})
    from tests.conftest import git

    git(repo.path, "checkout", "-q", "-b", "release")
    repo.commit({"catalog-info.yaml": component("web", owner="release-team")})
    git(repo.path, "checkout", "-q", "main")

    refresh_location(register(f"{repo.url}#release"))

    assert Entity.objects.get(ref="component:default/web").body["spec"]["owner"] == "release-team"


def test_follows_relative_location_targets_inside_the_repository(git_repo):
    repo = git_repo()
    repo.commit(
        {
            "catalog-info.yaml": """
                apiVersion: backstage.io/v1alpha1
                kind: Location
                metadata:
                  name: root
                spec:
                  targets: [./teams/*.yaml]
            """,
            "teams/a.yaml": component("web"),
        }
    )
    refresh_location(register(repo.url))
    assert Entity.objects.filter(ref="component:default/web").exists()


def test_unreachable_repository_is_an_error_and_keeps_entities(git_repo):
    repo = git_repo()
    repo.commit({"catalog-info.yaml": component("web")})
    location = register(repo.url)
    refresh_location(location)
    shutil.rmtree(repo.path)

    report = refresh_location(location)

    assert report.refused and repo.url in str(report.refused[0])
    assert not Entity.objects.get(ref="component:default/web").is_orphan
    location.refresh_from_db()
    assert location.status == Location.Status.ERROR


def test_file_removed_from_repository_orphans_its_entities(git_repo):
    repo = git_repo()
    repo.commit({"a/catalog-info.yaml": component("web"), "b/catalog-info.yaml": component("api")})
    location = register(f"{repo.url}#:**/catalog-info.yaml")
    refresh_location(location)
    repo.commit({"b/catalog-info.yaml": None})

    report = refresh_location(location)

    assert report.orphaned == ["component:default/api"]


def sneaky_location(git_repo, tmp_path):
    (tmp_path / "local.yaml").write_text(component("stolen"))
    repo = git_repo()
    repo.commit(
        {
            "catalog-info.yaml": f"""
                apiVersion: backstage.io/v1alpha1
                kind: Location
                metadata:
                  name: sneaky
                spec:
                  type: file
                  targets: [{tmp_path / "local.yaml"}]
            """
        }
    )
    return register(repo.url)


def test_repository_location_of_type_file_is_refused_and_not_stored(git_repo, tmp_path):
    report = refresh_location(sneaky_location(git_repo, tmp_path))

    assert not Entity.objects.filter(name__in=["stolen", "sneaky"]).exists()
    assert [error.field for error in report.refused] == ["spec.type"]
    assert 'Registered locations must be of an allowed type ["url"]' in str(report.refused[0])


def test_repository_file_location_target_is_refused_even_when_file_is_allowed(git_repo, tmp_path, settings):
    settings.API_LOCATION_TYPES = ["url", "file"]

    report = refresh_location(sneaky_location(git_repo, tmp_path))

    assert not Entity.objects.filter(name="stolen").exists()
    assert "may not point at a file target" in str(report.refused[0])


def test_private_https_remote_is_refused_before_any_network(settings):
    with pytest.raises(LocationError, match=r"resolves to non-public address 169\.254\.169\.254"):
        register("https://169.254.169.254/org/repo/blob/main/catalog-info.yaml")
    assert not Location.objects.exists()
    assert Entity.objects.filter(kind="Component").count() == 0
