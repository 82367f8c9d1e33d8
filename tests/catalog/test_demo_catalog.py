"""Guards the Velocity Cycles demo catalog in `catalog/demo/` against format and wiring mistakes.

Plain PyYAML and the rules restated in `entity_rules`; the real loader's stricter checks come later.
"""

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .entity_rules import (
    ALLOWED_TARGET_KINDS,
    API_VERSIONS,
    KIND_RE,
    NAME_RE,
    NAMESPACE_RE,
    REF_FIELDS,
    REQUIRED_SPEC,
    TAG_RE,
    entity_ref,
    is_valid_key,
    non_string_leaves,
    spec_refs,
)

DEMO_DIR = Path(__file__).resolve().parents[2] / "catalog" / "demo"
ROOT_LOCATION = DEMO_DIR / "catalog-info.yaml"
SINGLE_REF_FIELDS = {"owner", "system", "subcomponentOf", "domain", "subdomainOf", "parent"}


@cache
def demo_files() -> tuple[Path, ...]:
    """The demo's catalog files: a template's skeleton holds ``${{ }}`` templating, not descriptors."""
    return tuple(
        sorted(path for path in DEMO_DIR.rglob("*.yaml") if "skeleton" not in path.relative_to(DEMO_DIR).parts)
    )


@cache
def demo_entities() -> tuple[tuple[Path, dict[str, Any]], ...]:
    return tuple(
        (path, document)
        for path in demo_files()
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document is not None
    )


def entities() -> list[dict[str, Any]]:
    """The demo's catalog descriptors; its Templates are checked by the scaffolder's own tests
    (``tests/scaffolder/test_demo_templates.py``), where booleans such as ``ui:autofocus`` belong."""
    return [entity for _, entity in demo_entities() if entity.get("kind") != "Template"]


def known_refs() -> set[str]:
    return {entity_ref(entity) for entity in entities()}


def duplicate_keys(node: yaml.Node) -> list[str]:
    """Keys repeated within one mapping; Backstage rejects them, PyYAML silently keeps the last (§6)."""
    if isinstance(node, yaml.MappingNode):
        keys = [key.value for key, _ in node.value]
        found = sorted({key for key in keys if keys.count(key) > 1})
        children = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        found, children = [], node.value
    else:
        return []
    return found + [key for child in children for key in duplicate_keys(child)]


def location_targets(path: Path, location: dict[str, Any]) -> list[str]:
    spec = location.get("spec") or {}
    return list(spec.get("targets", [])) + ([spec["target"]] if "target" in spec else [])


def resolve_target(path: Path, target: str) -> list[Path]:
    return sorted(path.parent.glob(target.removeprefix("./")))


def test_files_have_no_duplicate_keys():
    duplicates = {
        str(path.relative_to(DEMO_DIR)): keys
        for path in demo_files()
        for node in yaml.compose_all(path.read_text(encoding="utf-8"))
        if (keys := duplicate_keys(node))
    }
    assert duplicates == {}


def test_documents_have_a_valid_envelope():
    bad = [
        entity_ref(entity)
        for entity in entities()
        if entity.get("apiVersion") not in API_VERSIONS
        or not KIND_RE.fullmatch(entity["kind"])
        or entity["kind"] not in REQUIRED_SPEC
        or set(entity) - {"apiVersion", "kind", "metadata", "spec"}
        or not isinstance(entity.get("spec"), dict)
    ]
    assert bad == []


def test_every_value_is_a_string():
    # YAML 1.1 (PyYAML) and 1.2 (Backstage) only agree on strings: `no`, dates and `0755` differ.
    assert [leaf for entity in entities() for leaf in non_string_leaves(entity, entity_ref(entity))] == []


def test_names_are_well_formed():
    bad = [
        entity["metadata"]["name"]
        for entity in entities()
        if len(entity["metadata"]["name"]) > 63 or not NAME_RE.fullmatch(entity["metadata"]["name"])
    ]
    assert bad == []


def test_namespaces_are_lowercase_dns_labels():
    namespaces = {entity["metadata"].get("namespace", "default") for entity in entities()}
    assert [ns for ns in namespaces if len(ns) > 63 or not NAMESPACE_RE.fullmatch(ns)] == []


def test_tags_are_well_formed():
    tags = {tag for entity in entities() for tag in entity["metadata"].get("tags", [])}
    assert sorted(tag for tag in tags if len(tag) > 63 or not TAG_RE.fullmatch(tag)) == []


def test_labels_are_well_formed():
    labels = [(key, value) for entity in entities() for key, value in entity["metadata"].get("labels", {}).items()]
    assert [
        (key, value)
        for key, value in labels
        if not is_valid_key(key) or (value and (len(value) > 63 or not NAME_RE.fullmatch(value)))
    ] == []


def test_annotation_keys_are_well_formed():
    keys = {key for entity in entities() for key in entity["metadata"].get("annotations", {})}
    assert sorted(key for key in keys if not is_valid_key(key)) == []


def test_links_are_absolute_urls_with_titles():
    links = [link for entity in entities() for link in entity["metadata"].get("links", [])]
    bad = [
        link
        for link in links
        if urlsplit(link["url"]).scheme not in {"https", "mailto"}
        or (urlsplit(link["url"]).scheme == "https" and not urlsplit(link["url"]).netloc)
        or not link.get("title", "").strip()
    ]
    assert bad == []


def test_entity_refs_are_unique():
    counts = Counter(entity_ref(entity) for entity in entities())
    assert [ref for ref, count in counts.items() if count > 1] == []


def test_required_spec_fields_are_present():
    missing = [
        (entity_ref(entity), field)
        for entity in entities()
        for field in REQUIRED_SPEC[entity["kind"]]
        if field not in entity["spec"] or entity["spec"][field] in ("", None)
    ]
    assert missing == []


def test_ref_fields_have_the_right_shape():
    # Single refs are strings, plural fields (and `children`, `memberOf`, `dependsOn`) are lists.
    bad = [
        (entity_ref(entity), field)
        for entity in entities()
        for (kind, field) in REF_FIELDS
        if kind == entity["kind"] and field in entity["spec"]
        if isinstance(entity["spec"][field], list) == (field in SINGLE_REF_FIELDS)
    ]
    assert bad == []


def test_depends_on_refs_name_a_kind():
    # dependsOn has no default kind (§5): a bare name fails in Backstage.
    bare = [
        (entity_ref(entity), ref)
        for entity in entities()
        for ref in entity["spec"].get("dependsOn", [])
        if ":" not in ref.split("/", 1)[0]
    ]
    assert bare == []


def test_every_ref_resolves_to_a_demo_entity():
    known = known_refs()
    dangling = [
        (entity_ref(entity), field, ref)
        for entity in entities()
        for field, ref, target in spec_refs(entity)
        if target not in known
    ]
    assert dangling == []


def test_refs_point_at_fitting_kinds():
    misfits = [
        (entity_ref(entity), field, ref)
        for entity in entities()
        for field, ref, target in spec_refs(entity)
        if target.split(":", 1)[0] not in ALLOWED_TARGET_KINDS[field]
    ]
    assert misfits == []


def group_links() -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each group's resolved parent, and each group's resolved children."""
    parents, children = {}, {}
    for entity in entities():
        if entity["kind"] == "Group":
            ref = entity_ref(entity)
            children[ref] = {target for field, _, target in spec_refs(entity) if field == "children"}
            for field, _, target in spec_refs(entity):
                if field == "parent":
                    parents[ref] = target
    return parents, children


def test_group_children_name_the_group_as_parent():
    parents, children = group_links()
    assert [(ref, child) for ref, kids in children.items() for child in kids if parents.get(child) != ref] == []


def test_group_parents_list_the_group_as_child():
    parents, children = group_links()
    assert [(ref, parent) for ref, parent in parents.items() if ref not in children.get(parent, set())] == []


def test_only_the_organization_group_has_no_parent():
    roots = [e["metadata"]["name"] for e in entities() if e["kind"] == "Group" and "parent" not in e["spec"]]
    assert roots == ["velocity-cycles"]


def test_location_targets_match_files():
    empty = [
        (str(path.relative_to(DEMO_DIR)), target)
        for path, entity in demo_entities()
        if entity["kind"] == "Location"
        for target in location_targets(path, entity)
        if not resolve_target(path, target)
    ]
    assert empty == []


def test_every_file_is_reachable_from_the_root_location():
    reached, pending = set(), [ROOT_LOCATION]
    while pending:
        path = pending.pop()
        if path in reached:
            continue
        reached.add(path)
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document and document["kind"] == "Location":
                for target in location_targets(path, document):
                    pending.extend(resolve_target(path, target))
    assert sorted(reached) == list(demo_files())


def test_machine_readable_api_definitions_parse():
    bad = []
    for entity in entities():
        spec = entity["spec"]
        if entity["kind"] != "API" or spec["type"] not in {"openapi", "asyncapi"}:
            continue
        definition = yaml.safe_load(spec["definition"])
        if (
            not isinstance(definition, dict)
            or spec["type"] not in definition
            or ("paths" not in definition and "channels" not in definition)
        ):
            bad.append(entity_ref(entity))
    assert bad == []


def test_techdocs_dirs_have_an_mkdocs_config():
    missing = [
        entity_ref(entity)
        for path, entity in demo_entities()
        if entity["metadata"].get("annotations", {}).get("backstage.io/techdocs-ref") == "dir:."
        and not (path.parent / "mkdocs.yml").is_file()
    ]
    assert missing == []


def test_demo_has_every_builtin_kind():
    assert set(Counter(entity["kind"] for entity in entities())) == set(REQUIRED_SPEC)
