"""Small, self-contained Backstage format checks shared by the catalog data tests.

These restate the rules of the Backstage reference (§2 field formats, §3 refs,
§4 required spec fields, §5 relation fields) so the demo catalog and the benchmark
generator are guarded before the real loader exists. They are test helpers, not
the loader.
"""

import re
from collections.abc import Iterator
from typing import Any

# §2: full-match, ASCII-only patterns.
NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$", re.ASCII)
NAMESPACE_RE = re.compile(r"^[a-z0-9]+(?:\-+[a-z0-9]+)*$", re.ASCII)
KIND_RE = re.compile(r"^[a-zA-Z][a-z0-9A-Z]*$", re.ASCII)
TAG_RE = re.compile(r"^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$", re.ASCII)
DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", re.ASCII)
API_VERSIONS = {"backstage.io/v1alpha1", "backstage.io/v1beta1"}

# §4: spec fields every entity of a kind must carry.
REQUIRED_SPEC = {
    "Component": ("type", "lifecycle", "owner"),
    "API": ("type", "lifecycle", "owner", "definition"),
    "Resource": ("type", "owner"),
    "System": ("owner",),
    "Domain": ("owner",),
    "Group": ("type", "children"),
    "User": ("memberOf",),
    "Location": (),
}

# §5: (kind, spec field) -> default kind of its refs (None: the ref must name a kind).
REF_FIELDS: dict[tuple[str, str], str | None] = {
    ("Component", "owner"): "Group",
    ("API", "owner"): "Group",
    ("Resource", "owner"): "Group",
    ("System", "owner"): "Group",
    ("Domain", "owner"): "Group",
    ("Component", "system"): "System",
    ("API", "system"): "System",
    ("Resource", "system"): "System",
    ("Component", "subcomponentOf"): "Component",
    ("System", "domain"): "Domain",
    ("Domain", "subdomainOf"): "Domain",
    ("Component", "providesApis"): "API",
    ("Component", "consumesApis"): "API",
    ("Component", "dependsOn"): None,
    ("Resource", "dependsOn"): None,
    ("Component", "dependencyOf"): None,
    ("Resource", "dependencyOf"): None,
    ("User", "memberOf"): "Group",
    ("Group", "parent"): "Group",
    ("Group", "children"): "Group",
    ("Group", "members"): "User",
}

# Kinds a ref in each field may sensibly point at (Backstage itself does not check).
ALLOWED_TARGET_KINDS = {
    "owner": {"group", "user"},
    "system": {"system"},
    "subcomponentOf": {"component"},
    "domain": {"domain"},
    "subdomainOf": {"domain"},
    "providesApis": {"api"},
    "consumesApis": {"api"},
    "dependsOn": {"component", "resource"},
    "dependencyOf": {"component", "resource"},
    "memberOf": {"group"},
    "parent": {"group"},
    "children": {"group"},
    "members": {"user"},
}


def parse_ref(ref: str, *, default_kind: str | None, default_namespace: str) -> str:
    """Parse `[kind:][namespace/]name` as Backstage's parseEntityRef does (§3).

    Returns the canonical lowercase `kind:namespace/name`. A `:` only separates the
    kind when it comes before the first `/`.
    """
    colon, slash = ref.find(":"), ref.find("/")
    if colon != -1 and (slash == -1 or colon < slash):
        kind, rest = ref[:colon], ref[colon + 1 :]
    else:
        kind, rest = default_kind, ref
    namespace, name = rest.split("/", 1) if "/" in rest else (default_namespace, rest)
    if not kind:
        raise ValueError(f"ref {ref!r} has a missing or empty kind")
    if not namespace or not name:
        raise ValueError(f"ref {ref!r} has an empty namespace or name")
    return f"{kind}:{namespace}/{name}".lower()


def entity_ref(entity: dict[str, Any]) -> str:
    """The canonical lowercase ref of an entity."""
    metadata = entity["metadata"]
    return f"{entity['kind']}:{metadata.get('namespace', 'default')}/{metadata['name']}".lower()


def spec_refs(entity: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Yield `(field, written ref, canonical target ref)` for every ref in the entity's spec."""
    kind = entity["kind"]
    namespace = entity["metadata"].get("namespace", "default")
    spec = entity.get("spec") or {}
    for (field_kind, field), default_kind in REF_FIELDS.items():
        if field_kind != kind or field not in spec:
            continue
        value = spec[field]
        for ref in value if isinstance(value, list) else [value]:
            yield field, ref, parse_ref(ref, default_kind=default_kind, default_namespace=namespace)


def is_valid_key(key: str) -> bool:
    """Label and annotation keys: `<name>` or `<dns-subdomain prefix>/<name>` (§2)."""
    prefix, _, name = key.rpartition("/")
    if "/" in prefix:
        return False
    if prefix and (len(prefix) > 253 or not all(DNS_LABEL_RE.fullmatch(part) for part in prefix.split("."))):
        return False
    return len(name) <= 63 and bool(NAME_RE.fullmatch(name))


def non_string_leaves(value: Any, path: str) -> list[str]:
    """Paths of values that are not strings; YAML 1.1 and 1.2 only agree on strings (§6, §15)."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in non_string_leaves(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in non_string_leaves(item, f"{path}[{index}]")]
    return [] if isinstance(value, str) else [f"{path}={value!r}"]
