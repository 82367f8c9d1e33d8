import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from catalog.formats.validation import KNOWN_KINDS, FieldError, validate_entity
from catalog.formats.validation.fastschema import compile_schema
from catalog.formats.validation.formats import is_absolute_url
from catalog.formats.validation.kinds import spec_schema

COMPONENT: dict[str, Any] = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {
        "name": "artist-web",
        "description": "The place to be for great artists",
        "labels": {"example.com/custom": "custom_label_value"},
        "annotations": {"backstage.io/techdocs-ref": "dir:.", "example.com/service-discovery": "artistweb"},
        "tags": ["java", "data"],
        "links": [{"url": "https://admin.example-org.com", "title": "Admin Dashboard", "icon": "dashboard"}],
    },
    "spec": {
        "type": "website",
        "lifecycle": "production",
        "owner": "artist-relations-team",
        "system": "artist-engagement-portal",
        "providesApis": ["artist-api"],
        "dependsOn": ["resource:artists-db"],
    },
}

TEMPLATE: dict[str, Any] = {
    "apiVersion": "scaffolder.backstage.io/v1beta3",
    "kind": "Template",
    "metadata": {"name": "react-ssr-template", "title": "React SSR Template", "tags": ["recommended"]},
    "spec": {
        "owner": "web@example.com",
        "type": "website",
        "parameters": [
            {"title": "Name", "required": ["name"], "properties": {"name": {"type": "string"}}},
            {
                "title": "Repository",
                "properties": {"repoUrl": {"type": "string", "ui:field": "RepoUrlPicker"}},
            },
        ],
        "steps": [
            {"id": "fetch", "name": "Fetch", "action": "fetch:template", "input": {"url": "./skeleton"}},
            {"id": "publish", "action": "publish:github", "if": "${{ parameters.repoUrl }}"},
        ],
        "output": {
            "links": [{"title": "Repository", "url": "${{ steps.publish.output.remoteUrl }}"}],
            "text": [{"title": "Next", "content": "**Done**"}],
            "remoteUrl": "${{ steps.publish.output.remoteUrl }}",
        },
    },
}

MCP_SERVER_API: dict[str, Any] = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "API",
    "metadata": {"name": "backstage-mcp-server"},
    "spec": {
        "type": "mcp-server",
        "lifecycle": "experimental",
        "owner": "team-a",
        "remotes": [{"type": "streamable-http", "url": "http://localhost:7007/api/mcp/v1"}],
    },
}


def entity(base: dict[str, Any] = COMPONENT, **changes: Any) -> dict[str, Any]:
    """A copy of `base` with dotted paths set (or removed when the value is ...)."""
    result = copy.deepcopy(base)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = result
        for part in parents:
            target = target.setdefault(part, {})
        if value is ...:
            target.pop(last, None)
        else:
            target[last] = value
    return result


def fields(errors: list[FieldError]) -> list[str]:
    return [error.field for error in errors]


def ai_resource(spec_type: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "AiResource",
        "metadata": {"name": "thing"},
        "spec": {"type": spec_type, "lifecycle": "production", "owner": "team-a", **spec},
    }


# --- Envelope and root fields


def test_valid_component_has_no_errors():
    assert validate_entity(COMPONENT) == []


def test_does_not_change_the_entity():
    given_entity = entity()
    validate_entity(given_entity)

    assert given_entity == COMPONENT


def test_refuses_entity_that_is_not_an_object():
    assert validate_entity(["a"]) == [FieldError("", "an entity must be an object, got array")]


@pytest.mark.parametrize("field", ["apiVersion", "kind"])
def test_refuses_entity_without_envelope_field(field):
    errors = validate_entity(entity(**{field: ...}))

    assert errors == [FieldError(field, f"{field} is required")]


@pytest.mark.parametrize("value", ["", 3, None])
def test_refuses_kind_that_is_not_a_non_empty_string(value):
    assert validate_entity(entity(kind=value)) == [FieldError("kind", "kind must be a non-empty string")]


def test_refuses_entity_without_metadata():
    assert fields(validate_entity(entity(metadata=...))) == ["metadata"]


def test_refuses_entity_without_name():
    assert validate_entity(entity(metadata__name=...)) == [FieldError("metadata.name", "metadata.name is required")]


def test_refuses_empty_namespace():
    assert fields(validate_entity(entity(metadata__namespace=""))) == ["metadata.namespace"]


@pytest.mark.parametrize("field", ["relations", "status"])
def test_refuses_output_only_root_fields(field):
    errors = validate_entity(entity(**{field: []}))

    assert errors == [FieldError(field, f"Unknown field {field}")]


def test_refuses_unknown_root_field():
    assert validate_entity(entity(extra=1)) == [FieldError("extra", "Unknown field extra")]


def test_refuses_spec_that_is_not_an_object():
    assert validate_entity(entity(spec=["x"])) == [FieldError("spec", "spec must be an object, got array")]


def test_refuses_component_without_spec():
    assert validate_entity(entity(spec=...)) == [FieldError("spec", "spec is required")]


def test_accepts_unknown_metadata_and_spec_fields():
    assert validate_entity(entity(metadata__custom={"a": 1}, spec__custom=[1])) == []


def test_reports_every_error_not_only_the_first():
    errors = validate_entity(entity(metadata__name="bad name", metadata__tags=["Bad"], spec__owner=...))

    assert fields(errors) == ["metadata.name", "metadata.tags[0]", "spec.owner"]


# --- metadata.name


def test_accepts_name_of_63_characters():
    assert validate_entity(entity(metadata__name="a" * 63)) == []


def test_refuses_name_of_64_characters():
    assert fields(validate_entity(entity(metadata__name="a" * 64))) == ["metadata.name"]


@pytest.mark.parametrize("name", ["a", "A_b.c-D", "1", "a--b", "a..b", "Upper"])
def test_accepts_valid_names(name):
    assert validate_entity(entity(metadata__name=name)) == []


@pytest.mark.parametrize("name", ["-a", "a-", "_a", "a.", "a b", "a/b", "a:b", "é", "\uff41", "a\n"])
def test_refuses_invalid_names(name):
    assert fields(validate_entity(entity(metadata__name=name))) == ["metadata.name"]


def test_refuses_name_that_is_not_a_string():
    assert validate_entity(entity(metadata__name=12)) == [
        FieldError("metadata.name", "metadata.name must be a non-empty string")
    ]


# --- metadata.namespace


@pytest.mark.parametrize("namespace", ["default", "a", "team-a", "a--b", "0", "a" * 63])
def test_accepts_valid_namespaces(namespace):
    assert validate_entity(entity(metadata__namespace=namespace)) == []


@pytest.mark.parametrize("namespace", ["MyTeam", "Default", "a_b", "a.b", "-a", "a-", "a" * 64])
def test_refuses_invalid_namespaces(namespace):
    assert fields(validate_entity(entity(metadata__namespace=namespace))) == ["metadata.namespace"]


# --- kind and apiVersion


def test_refuses_lowercase_kind_as_foreign():
    errors = validate_entity(entity(kind="component"))

    assert errors == [
        FieldError(
            "kind",
            "no validator recognises kind 'component' with apiVersion 'backstage.io/v1alpha1' "
            "(a foreign kind or apiVersion)",
        )
    ]


def test_refuses_unknown_kind_as_foreign():
    assert fields(validate_entity(entity(kind="Environment"))) == ["kind"]


def test_refuses_kind_with_invalid_format():
    errors = validate_entity(entity(kind="My-Kind"))

    assert fields(errors) == ["kind", "kind"]
    assert "is not valid" in errors[0].message
    assert "no validator recognises" in errors[1].message


def test_refuses_kind_of_64_characters():
    assert "is not valid" in validate_entity(entity(kind="K" * 64))[0].message


@pytest.mark.parametrize("api_version", ["backstage.io/v1alpha1", "backstage.io/v1beta1"])
def test_accepts_both_built_in_api_versions(api_version):
    assert validate_entity(entity(apiVersion=api_version)) == []


def test_refuses_unknown_api_version_as_foreign():
    errors = validate_entity(entity(apiVersion="backstage.io/v2"))

    assert fields(errors) == ["kind"]
    assert "'backstage.io/v2'" in errors[0].message


@pytest.mark.parametrize("api_version", ["a/b/c", "Backstage.io/v1", "backstage.io/v-1", "/v1", "backstage.io/"])
def test_refuses_api_version_with_invalid_format(api_version):
    assert fields(validate_entity(entity(apiVersion=api_version))) == ["apiVersion", "kind"]


def test_known_kinds_lists_every_recognised_kind():
    assert KNOWN_KINDS == (
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "Template",
        "AiResource",
    )


# --- labels and annotations


@pytest.mark.parametrize("key", ["a", "example.com/a", "a.b-c/D_e.f", "x" * 63, "a" * 63 + "/b"])
def test_accepts_valid_label_keys(key):
    assert validate_entity(entity(metadata__labels={key: "v"})) == []


@pytest.mark.parametrize("key", ["", "a/b/c", "Example.com/a", "/a", "a/", "x" * 64, "a b", "exa_mple.com/a"])
def test_refuses_invalid_label_keys(key):
    assert fields(validate_entity(entity(metadata__labels={key: "v"}))) == [f"metadata.labels.{key}"]


def test_refuses_label_key_with_prefix_longer_than_253():
    prefix = ".".join(["a" * 63] * 4)

    assert len(prefix) == 255
    assert fields(validate_entity(entity(metadata__labels={f"{prefix}/a": "v"}))) == [f"metadata.labels.{prefix}/a"]


@pytest.mark.parametrize("value", ["", "v", "V_1.2-x", "a" * 63])
def test_accepts_valid_label_values(value):
    assert validate_entity(entity(metadata__labels={"k": value})) == []


@pytest.mark.parametrize("value", ["a" * 64, "a b", "-a", "go1.15.3 "])
def test_refuses_invalid_label_values(value):
    assert fields(validate_entity(entity(metadata__labels={"k": value}))) == ["metadata.labels.k"]


def test_refuses_label_value_that_is_not_a_string():
    assert validate_entity(entity(metadata__labels={"k": 1})) == [
        FieldError("metadata.labels.k", "metadata.labels.k must be a string")
    ]


def test_refuses_labels_that_are_not_a_map():
    assert fields(validate_entity(entity(metadata__labels=["a"]))) == ["metadata.labels"]


def test_accepts_any_annotation_value():
    assert validate_entity(entity(metadata__annotations={"k": "Any value at all: ✓ \n" * 1000})) == []


def test_refuses_invalid_annotation_key():
    assert fields(validate_entity(entity(metadata__annotations={"Example.com/a": "v"}))) == [
        "metadata.annotations.Example.com/a"
    ]


def test_refuses_annotation_value_that_is_not_a_string():
    assert fields(validate_entity(entity(metadata__annotations={"k": True}))) == ["metadata.annotations.k"]


# --- tags


@pytest.mark.parametrize("tag", ["java", "c++", "c#", "lang:go", "a-b", "a" * 63, "0"])
def test_accepts_valid_tags(tag):
    assert validate_entity(entity(metadata__tags=[tag])) == []


@pytest.mark.parametrize("tag", ["go1.15", "Java", "a_b", "a--b", "-a", "a-", "a b", "a" * 64, "ü"])
def test_refuses_invalid_tags(tag):
    assert fields(validate_entity(entity(metadata__tags=["ok", tag]))) == ["metadata.tags[1]"]


def test_refuses_empty_tag_once():
    assert validate_entity(entity(metadata__tags=[""])) == [
        FieldError("metadata.tags[0]", "metadata.tags[0] must be a non-empty string")
    ]


def test_refuses_tags_that_are_not_an_array():
    assert fields(validate_entity(entity(metadata__tags="java"))) == ["metadata.tags"]


# --- links


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://localhost:7007/api",
        "mailto:team@example.com",
        "mailto:x",
        "slack://channel?id=1",
        "file:///etc/hosts",
        "http:example.com",
        "https://[::1]:8080/",
        "https://user:pw@example.com",
        "urn:isbn:0451450523",
        "HTTPS://EXAMPLE.COM",
        "  https://example.com  ",
    ],
)
def test_accepts_absolute_link_urls(url):
    assert validate_entity(entity(metadata__links=[{"url": url}])) == []


@pytest.mark.parametrize(
    "url",
    [
        "/path",
        "example.com",
        "//example.com",
        "https://",
        "http:",
        "https://exa mple.com",
        "https://example.com:99999",
        "https://example.com:port",
        "https://[::1",
        "https://256.0.0.1",
        "1http://example.com",
    ],
)
def test_refuses_relative_or_broken_link_urls(url):
    assert fields(validate_entity(entity(metadata__links=[{"url": url}]))) == ["metadata.links[0].url"]


def test_refuses_link_without_url():
    assert validate_entity(entity(metadata__links=[{"title": "x"}])) == [
        FieldError("metadata.links[0].url", "metadata.links[0].url is required")
    ]


@pytest.mark.parametrize("field", ["title", "icon"])
def test_refuses_blank_link_title_or_icon(field):
    errors = validate_entity(entity(metadata__links=[{"url": "https://x.org", field: "  "}]))

    assert errors == [FieldError(f"metadata.links[0].{field}", f"metadata.links[0].{field} must not be blank")]


def test_refuses_empty_link_type():
    assert fields(validate_entity(entity(metadata__links=[{"url": "https://x.org", "type": ""}]))) == [
        "metadata.links[0].type"
    ]


def test_refuses_link_that_is_not_an_object():
    assert fields(validate_entity(entity(metadata__links=["https://x.org"]))) == ["metadata.links[0]"]


def test_url_check_refuses_non_strings():
    assert not is_absolute_url(None)


# --- other metadata


def test_accepts_empty_description():
    assert validate_entity(entity(metadata__description="")) == []


def test_refuses_empty_title():
    assert fields(validate_entity(entity(metadata__title=""))) == ["metadata.title"]


def test_accepts_uid_and_etag_in_input():
    assert validate_entity(entity(metadata__uid="1234", metadata__etag="abc")) == []


# --- Built-in kinds


@pytest.mark.parametrize("field", ["type", "lifecycle", "owner"])
def test_refuses_component_without_required_field(field):
    errors = validate_entity(entity(**{f"spec__{field}": ...}))

    assert errors == [FieldError(f"spec.{field}", f"spec.{field} is required")]


def test_refuses_component_with_empty_owner():
    assert validate_entity(entity(spec__owner="")) == [
        FieldError("spec.owner", "spec.owner must be a non-empty string")
    ]


def test_refuses_component_ref_list_with_empty_item():
    assert validate_entity(entity(spec__consumesApis=["a", ""])) == [
        FieldError("spec.consumesApis[1]", "spec.consumesApis[1] must be a non-empty string")
    ]


def test_refuses_component_ref_list_that_is_a_string():
    assert validate_entity(entity(spec__providesApis="artist-api")) == [
        FieldError("spec.providesApis", "spec.providesApis must be an array, got string")
    ]


def test_depends_on_items_need_no_kind_to_validate():
    assert validate_entity(entity(spec__dependsOn=["artists-db"])) == []


def test_accepts_any_component_type_and_lifecycle():
    assert validate_entity(entity(spec__type="anything", spec__lifecycle="whatever")) == []


def test_reports_all_missing_required_fields():
    errors = validate_entity(entity(spec={}))

    assert fields(errors) == ["spec.type", "spec.lifecycle", "spec.owner"]


API = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "API",
    "metadata": {"name": "artist-api"},
    "spec": {"type": "openapi", "lifecycle": "production", "owner": "team-a", "definition": "openapi: 3.0.0"},
}


def test_accepts_api():
    assert validate_entity(API) == []


def test_refuses_api_without_definition():
    assert validate_entity(entity(API, spec__definition=...)) == [
        FieldError("spec.definition", "spec.definition is required")
    ]


def test_refuses_api_whose_definition_is_an_unresolved_placeholder():
    errors = validate_entity(entity(API, spec__definition={"$text": "./openapi.yaml"}))

    assert errors == [FieldError("spec.definition", "spec.definition must be a non-empty string, got object")]


@pytest.mark.parametrize(
    ("kind", "spec", "missing"),
    [
        ("Resource", {"type": "database"}, "spec.owner"),
        ("Resource", {"owner": "team-a"}, "spec.type"),
        ("System", {"domain": "x"}, "spec.owner"),
        ("Domain", {"type": "x"}, "spec.owner"),
        ("Group", {"type": "team"}, "spec.children"),
        ("Group", {"children": []}, "spec.type"),
        ("User", {"profile": {"displayName": "A"}}, "spec.memberOf"),
    ],
)
def test_refuses_built_in_kind_without_required_field(kind, spec, missing):
    errors = validate_entity(
        {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}
    )

    assert errors == [FieldError(missing, f"{missing} is required")]


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("Resource", {"type": "database", "owner": "team-a", "dependsOn": ["component:x"]}),
        ("System", {"owner": "team-a", "domain": "audio"}),
        ("Domain", {"owner": "team-a", "subdomainOf": "media"}),
        ("Group", {"type": "team", "children": [], "members": ["alice"], "parent": "org"}),
        ("User", {"memberOf": [], "profile": {"email": "a@example.com"}}),
        ("Location", {}),
        ("Location", {"type": "url", "targets": ["./a.yaml"], "presence": "optional"}),
    ],
)
def test_accepts_built_in_kinds(kind, spec):
    entity_ = {"apiVersion": "backstage.io/v1beta1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}

    assert validate_entity(entity_) == []


def test_refuses_location_with_unknown_presence():
    errors = validate_entity(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Location",
            "metadata": {"name": "x"},
            "spec": {"presence": "sometimes"},
        }
    )

    assert errors == [FieldError("spec.presence", "spec.presence must be one of 'required', 'optional'")]


def test_refuses_group_profile_with_empty_email():
    errors = validate_entity(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Group",
            "metadata": {"name": "x"},
            "spec": {"type": "team", "children": [], "profile": {"email": ""}},
        }
    )

    assert fields(errors) == ["spec.profile.email"]


# --- Template


def test_accepts_template():
    assert validate_entity(TEMPLATE) == []


def test_accepts_template_with_single_parameter_object():
    assert validate_entity(entity(TEMPLATE, spec__parameters={"properties": {}})) == []


@pytest.mark.parametrize("field", ["type", "steps"])
def test_refuses_template_without_required_field(field):
    assert validate_entity(entity(TEMPLATE, **{f"spec__{field}": ...})) == [
        FieldError(f"spec.{field}", f"spec.{field} is required")
    ]


def test_accepts_template_without_owner():
    assert validate_entity(entity(TEMPLATE, spec__owner=...)) == []


def test_refuses_template_step_without_action():
    errors = validate_entity(entity(TEMPLATE, spec__steps=[{"id": "x"}]))

    assert errors == [FieldError("spec.steps[0].action", "spec.steps[0].action is required")]


def test_refuses_template_parameters_that_are_a_string():
    errors = validate_entity(entity(TEMPLATE, spec__parameters="name"))

    assert errors == [FieldError("spec.parameters", "spec.parameters must be an object or an array of objects")]


def test_refuses_template_step_condition_that_is_a_number():
    errors = validate_entity(entity(TEMPLATE, spec__steps=[{"action": "debug:log", "if": 1}]))

    assert errors == [FieldError("spec.steps[0].if", "spec.steps[0].if must be a string or a boolean, got number")]


def test_refuses_template_output_value_that_is_not_a_string():
    errors = validate_entity(entity(TEMPLATE, spec__output={"count": 3}))

    assert errors == [FieldError("spec.output.count", "spec.output.count must be a string, got number")]


def test_refuses_template_with_other_api_version():
    assert fields(validate_entity(entity(TEMPLATE, apiVersion="scaffolder.backstage.io/v1beta2"))) == ["kind"]


def test_refuses_template_under_backstage_api_version():
    assert fields(validate_entity(entity(TEMPLATE, apiVersion="backstage.io/v1alpha1"))) == ["kind"]


# --- Alpha model layer: mcp-server API and AiResource


def test_accepts_mcp_server_api_without_definition():
    assert validate_entity(MCP_SERVER_API) == []


def test_refuses_mcp_server_api_without_remotes():
    assert validate_entity(entity(MCP_SERVER_API, spec__remotes=...)) == [
        FieldError("spec.remotes", "spec.remotes is required")
    ]


def test_refuses_mcp_server_api_with_empty_remotes():
    assert validate_entity(entity(MCP_SERVER_API, spec__remotes=[])) == [
        FieldError("spec.remotes", "spec.remotes must be a non-empty array")
    ]


def test_refuses_mcp_server_remote_without_url():
    errors = validate_entity(entity(MCP_SERVER_API, spec__remotes=[{"type": "stdio"}]))

    assert errors == [FieldError("spec.remotes[0].url", "spec.remotes[0].url is required")]


def test_other_api_types_still_need_a_definition():
    errors = validate_entity(entity(MCP_SERVER_API, spec__type="grpc"))

    assert errors == [FieldError("spec.definition", "spec.definition is required")]


@pytest.mark.parametrize(
    ("spec_type", "spec"),
    [
        ("skill", {"allowedTools": "Read Grep", "compatibility": "Node.js 20+", "dependsOn": ["airesource:x"]}),
        ("rule", {"category": "architecture", "rationale": "Because", "activation": [{"harness": "codex"}]}),
        ("plugin", {"skills": ["airesource:default/a"], "version": "1.0.0"}),
        ("marketplace", {"plugins": []}),
        ("prompt", {}),
    ],
)
def test_accepts_ai_resources(spec_type, spec):
    assert validate_entity(ai_resource(spec_type, **spec)) == []


@pytest.mark.parametrize(
    ("spec_type", "missing"),
    [("rule", "spec.category"), ("plugin", "spec.skills"), ("marketplace", "spec.plugins")],
)
def test_refuses_ai_resource_without_type_specific_field(spec_type, missing):
    spec = {"rule": {"rationale": "r"}, "plugin": {}, "marketplace": {}}[spec_type]

    assert validate_entity(ai_resource(spec_type, **spec)) == [FieldError(missing, f"{missing} is required")]


def test_refuses_ai_resource_without_owner():
    resource = ai_resource("skill")
    del resource["spec"]["owner"]

    assert validate_entity(resource) == [FieldError("spec.owner", "spec.owner is required")]


def test_refuses_skill_allowed_tools_given_as_a_list():
    errors = validate_entity(ai_resource("skill", allowedTools=["Read", "Write"]))

    assert errors == [
        FieldError(
            "spec.allowedTools",
            "spec.allowedTools must be a non-empty string of space-separated tool names, got array",
        )
    ]


def test_refuses_empty_skill_allowed_tools():
    errors = validate_entity(ai_resource("skill", allowedTools=""))

    assert errors == [
        FieldError("spec.allowedTools", "spec.allowedTools must be a non-empty string of space-separated tool names")
    ]


def test_refuses_skill_compatibility_over_500_characters():
    errors = validate_entity(ai_resource("skill", compatibility="x" * 501))

    assert fields(errors) == ["spec.compatibility"]
    assert validate_entity(ai_resource("skill", compatibility="x" * 500)) == []


def test_refuses_rule_activation_with_unknown_harness_field():
    errors = validate_entity(
        ai_resource("rule", category="c", rationale="r", activation=[{"harness": "codex", "paths": ["a"]}])
    )

    assert fields(errors) == ["spec.activation[0]"]


def test_refuses_ai_resource_under_beta_api_version():
    assert fields(validate_entity(ai_resource("skill") | {"apiVersion": "backstage.io/v1beta1"})) == ["kind"]


# --- Speed and robustness


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_arbitrary_json_never_makes_validation_raise(value):
    assert isinstance(validate_entity(value), list)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(KNOWN_KINDS),
    st.dictionaries(
        st.sampled_from(["type", "lifecycle", "owner", "definition", "steps", "remotes", "children", "memberOf"]),
        json_values,
        max_size=6,
    ),
)
def test_arbitrary_specs_never_make_validation_raise(kind, spec):
    api_version = {"Template": "scaffolder.backstage.io/v1beta3"}.get(kind, "backstage.io/v1alpha1")
    errors = validate_entity({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": spec})

    assert all(isinstance(error, FieldError) for error in errors)


SCHEMAS = [
    spec_schema("Component"),
    spec_schema("API"),
    spec_schema("API", "mcp-server"),
    spec_schema("Group"),
    spec_schema("Location"),
    spec_schema("Template"),
    spec_schema("AiResource", "rule"),
    spec_schema("AiResource", "skill"),
]

SPEC_KEYS = [
    "type",
    "lifecycle",
    "owner",
    "definition",
    "remotes",
    "children",
    "presence",
    "steps",
    "parameters",
    "output",
    "category",
    "rationale",
    "activation",
    "compatibility",
    "profile",
]

spec_like = st.dictionaries(
    st.sampled_from(SPEC_KEYS),
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-2, 2)
        | st.sampled_from(["", "x", "mcp-server", "rule", "required", "codex", "claude", "a" * 501]),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(["harness", "type", "url", "action", "email", "paths"]), children)
        ),
        max_leaves=10,
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(SCHEMAS), spec_like)
def test_fast_checker_agrees_with_jsonschema(schema, spec):
    assert compile_schema(schema)(spec) == Draft7Validator(schema).is_valid(spec)
