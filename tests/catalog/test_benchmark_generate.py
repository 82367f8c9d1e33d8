"""The benchmark organisation generator writes what it reports, deterministically, with resolvable refs."""

import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.catalog.generate import GeneratedOrg, OrgShape, generate_org

from .entity_rules import (
    ALLOWED_TARGET_KINDS,
    NAME_RE,
    REQUIRED_SPEC,
    TAG_RE,
    entity_ref,
    non_string_leaves,
    spec_refs,
)

SHAPE = OrgShape(entities=500, files=20)
ONE_FILE_SHAPE = OrgShape(entities=200, files=1)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> GeneratedOrg:
    return generate_org(tmp_path_factory.mktemp("org"), SHAPE)


@pytest.fixture(scope="module")
def one_file_org(tmp_path_factory: pytest.TempPathFactory) -> GeneratedOrg:
    return generate_org(tmp_path_factory.mktemp("one-file"), ONE_FILE_SHAPE)


def yaml_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.yaml"))


def load(root: Path) -> dict[Path, list[dict[str, Any]]]:
    return {
        path.relative_to(root): [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
        for path in yaml_files(root)
    }


def all_entities(root: Path) -> list[dict[str, Any]]:
    return [entity for entities in load(root).values() for entity in entities]


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in yaml_files(root)}


def test_reported_counts_match_the_files(org):
    assert Counter(entity["kind"] for entity in all_entities(org.root)) == Counter(org.counts)


def test_total_is_the_requested_entity_count(org, one_file_org):
    assert (org.entities, one_file_org.entities) == (500, 200)


def test_mix_follows_the_org_shape(org):
    # For every N components: N/50 Groups, N/5 Users, N/100 Domains, N/20 Systems, N/10 APIs.
    assert org.counts == {
        "Group": 7,
        "User": 72,
        "Domain": 4,
        "System": 18,
        "API": 36,
        "Location": 1,
        "Component": 362,
    }


def test_writes_the_requested_number_of_entity_files(org):
    entity_files = [path for path in yaml_files(org.root) if path != org.location]
    assert (len(entity_files), org.files) == (20, 20)


def test_one_file_shape_puts_every_entity_in_one_file(one_file_org):
    documents = load(one_file_org.root)
    entity_files = {path: entities for path, entities in documents.items() if path != Path("catalog-info.yaml")}
    assert [len(entities) for entities in entity_files.values()] == [199]


def test_bytes_written_is_the_size_of_the_files(org):
    assert org.bytes_written == sum(path.stat().st_size for path in yaml_files(org.root))


def test_root_location_targets_cover_exactly_the_entity_files(org):
    location = yaml.safe_load(org.location.read_text(encoding="utf-8"))
    targeted = {path for target in location["spec"]["targets"] for path in org.root.glob(target.removeprefix("./"))}
    assert targeted == set(yaml_files(org.root)) - {org.location}


def test_many_files_are_covered_by_one_glob(tmp_path):
    org = generate_org(tmp_path, OrgShape(entities=300, files=150), git=False)
    location = yaml.safe_load(org.location.read_text(encoding="utf-8"))
    targeted = set(org.root.glob(location["spec"]["targets"][0].removeprefix("./")))
    assert (location["spec"]["targets"], len(targeted)) == (["./org/**/*.yaml"], 150)


def test_same_seed_writes_identical_files(tmp_path, org):
    again = generate_org(tmp_path, SHAPE)
    assert (tree_bytes(again.root), again.commit) == (tree_bytes(org.root), org.commit)


def test_other_seed_writes_other_files(tmp_path, org):
    other = generate_org(tmp_path, OrgShape(SHAPE.entities, SHAPE.files, seed=7), git=False)
    assert tree_bytes(other.root) != tree_bytes(org.root)


def test_names_match_the_name_rule(org, one_file_org):
    names = [entity["metadata"]["name"] for root in (org.root, one_file_org.root) for entity in all_entities(root)]
    assert [name for name in names if len(name) > 63 or not NAME_RE.fullmatch(name)] == []


def test_every_value_is_a_string(org):
    assert [leaf for entity in all_entities(org.root) for leaf in non_string_leaves(entity, entity_ref(entity))] == []


def test_tags_match_the_tag_rule(org):
    tags = {tag for entity in all_entities(org.root) for tag in entity["metadata"].get("tags", [])}
    assert sorted(tag for tag in tags if not TAG_RE.fullmatch(tag)) == []


def test_entity_refs_are_unique(org):
    counts = Counter(entity_ref(entity) for entity in all_entities(org.root))
    assert [ref for ref, count in counts.items() if count > 1] == []


def test_required_spec_fields_are_present(org):
    missing = [
        (entity_ref(entity), field)
        for entity in all_entities(org.root)
        for field in REQUIRED_SPEC[entity["kind"]]
        if field not in entity["spec"]
    ]
    assert missing == []


def test_every_ref_target_exists(org, one_file_org):
    dangling = []
    for root in (org.root, one_file_org.root):
        entities = all_entities(root)
        known = {entity_ref(entity) for entity in entities}
        dangling += [(ref, target) for e in entities for _, ref, target in spec_refs(e) if target not in known]
    assert dangling == []


def test_refs_point_at_fitting_kinds(org):
    misfits = [
        (entity_ref(entity), field, ref)
        for entity in all_entities(org.root)
        for field, ref, target in spec_refs(entity)
        if target.split(":", 1)[0] not in ALLOWED_TARGET_KINDS[field]
    ]
    assert misfits == []


def test_depends_on_refs_name_a_kind(org):
    refs = [ref for entity in all_entities(org.root) for ref in entity["spec"].get("dependsOn", [])]
    assert refs and [ref for ref in refs if ref.split(":", 1)[0] != "component"] == []


def test_components_have_owner_system_description_and_tags(org):
    components = [entity for entity in all_entities(org.root) if entity["kind"] == "Component"]
    incomplete = [
        entity_ref(entity)
        for entity in components
        if not (
            entity["spec"].get("system") and entity["metadata"].get("description") and entity["metadata"].get("tags")
        )
        or len(entity["spec"].get("providesApis", [])) > 3
        or len(entity["spec"].get("consumesApis", [])) > 3
        or len(entity["spec"].get("dependsOn", [])) > 3
    ]
    assert incomplete == []


def test_group_parents_and_children_agree(org):
    groups = [entity for entity in all_entities(org.root) if entity["kind"] == "Group"]
    parent_links = {
        (entity["spec"]["parent"], entity["metadata"]["name"]) for entity in groups if "parent" in entity["spec"]
    }
    child_links = {(entity["metadata"]["name"], child) for entity in groups for child in entity["spec"]["children"]}
    assert parent_links == child_links


def test_users_belong_to_one_or_two_teams(org):
    users = [entity for entity in all_entities(org.root) if entity["kind"] == "User"]
    assert {len(user["spec"]["memberOf"]) for user in users} <= {1, 2}


def test_git_commit_holds_the_whole_tree(org):
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=org.root, check=True, capture_output=True, text=True).stdout

    assert (git("rev-parse", "HEAD").strip(), git("status", "--porcelain")) == (org.commit, "")


def test_without_git_there_is_no_repository(tmp_path):
    org = generate_org(tmp_path, OrgShape(entities=50, files=2), git=False)
    assert (org.commit, (tmp_path / ".git").exists()) == (None, False)


def test_refuses_a_non_empty_root(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate_org(tmp_path, OrgShape(entities=50, files=2))
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def test_refuses_an_organisation_too_small_for_every_kind(tmp_path):
    with pytest.raises(ValueError, match="at least 20 entities"):
        generate_org(tmp_path, OrgShape(entities=19, files=1))
    assert list(tmp_path.iterdir()) == []


def test_refuses_more_files_than_entities(tmp_path):
    with pytest.raises(ValueError, match="files must be between"):
        generate_org(tmp_path, OrgShape(entities=50, files=50))
    assert list(tmp_path.iterdir()) == []
