"""Reading ``spec.parameters`` into pages, validating values, secrets and the parameter-schema answer."""

import pytest

from scaffolder.parameter_validation import validate_all, validate_page
from scaffolder.parameters import (
    DEFAULT_PAGE_TITLE,
    FieldError,
    parameter_pages,
    parameter_schema,
    secret_fields,
    split_ui,
    unknown_ui_fields,
    visible_fields,
)

from .templates import CONDITIONAL_PAGE, OWN_TEMPLATE_FILES, TEMPLATE_FILES, own_template, read_template, template

# Values every corpus template accepts (what a person would fill in); some are for Backstage's own templates.
GOOD_VALUES = {
    "package_name": "vc.motor",
    "sdk_version": 3.6,
    "name": "my-service",
    "component_id": "my-service",
    "owner": "group:default/team-a",
    "description": "A service",
    "java_package_name": "io.example.svc",
    "module": "github.com/acme/svc",
    "go_version": 1.22,
    "repoUrl": "github.com?owner=acme&repo=svc",
    "dryRun": True,
    "system": "system:default/billing",
}


def test_the_in_repo_templates_are_there():
    assert [path.parent.name for path in OWN_TEMPLATE_FILES] == [
        "add-docs-pr",
        "conditional-links",
        "docs-site",
        "firmware-service",
        "gitlab-mr",
        "legacy-generator",
    ]


def test_one_object_is_one_page():
    pages = parameter_pages(template({"properties": {"name": {"type": "string"}}}))
    assert [(page.index, page.title) for page in pages] == [(0, DEFAULT_PAGE_TITLE)]


def test_missing_parameters_make_no_page():
    body = template(None)
    del body["spec"]["parameters"]
    assert parameter_pages(body) == []
    assert validate_all(body, {}) == []


def test_ui_keys_are_split_from_the_schema():
    schema, ui = split_ui(
        {
            "ui:order": ["b", "a"],
            "properties": {
                "a": {"type": "string", "ui:widget": "textarea", "ui:help": "Say more"},
                "b": {"type": "object", "properties": {"c": {"type": "string", "ui:autofocus": True}}},
            },
        }
    )
    assert schema == {
        "properties": {"a": {"type": "string"}, "b": {"type": "object", "properties": {"c": {"type": "string"}}}}
    }
    assert ui == {
        "ui:order": ["b", "a"],
        "a": {"ui:widget": "textarea", "ui:help": "Say more"},
        "b": {"c": {"ui:autofocus": True}},
    }


def test_ui_keys_of_conditional_branches_join_the_page_ui_schema():
    page = parameter_pages(template([CONDITIONAL_PAGE]))[0]
    assert page.ui_schema == {"dbPassword": {"ui:widget": "password"}}
    assert "ui:widget" not in str(page.schema)


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_corpus_templates_give_pages_and_accept_good_values(path):
    body = read_template(path)
    pages = parameter_pages(body)
    assert pages, path
    assert all(page.title for page in pages)
    assert all(not any(key.startswith("ui:") for key in str(page.schema).split("'")) for page in pages)
    host = "gitlab.com" if "gitlab" in path.parent.name else "github.com"
    assert validate_all(body, {**GOOD_VALUES, "repoUrl": f"{host}?owner=acme&repo=svc"}) == []
    assert unknown_ui_fields(body) == []


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_corpus_templates_refuse_empty_values_naming_each_required_field(path):
    body = read_template(path)
    required = {name for page in parameter_pages(body) for name in page.required}
    errors = validate_all(body, {})
    assert {error.field for error in errors} == required
    assert {error.message for error in errors} == {"is required"}


def test_validate_page_checks_only_that_page():
    body = own_template("docs-site")
    first, second = parameter_pages(body)
    assert validate_page(first, {"name": "docs", "description": "d"}) == []
    assert validate_page(second, {"name": "docs"}) == [FieldError("repoUrl", "is required")]


def test_messages_for_each_rule():
    body = template(
        {
            "properties": {
                "slug": {"type": "string", "pattern": "^[a-z]+$"},
                "short": {"type": "string", "minLength": 3},
                "long": {"type": "string", "maxLength": 2},
                "count": {"type": "integer", "minimum": 1, "maximum": 5},
                "color": {"type": "string", "enum": ["red", "blue"]},
                "flag": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
            }
        }
    )
    values = {"slug": "Not OK", "short": "ab", "long": "abc", "count": 9, "color": "green", "flag": "yes", "tags": []}
    assert validate_all(body, values) == [
        FieldError("color", "must be one of: red, blue"),
        FieldError("count", "must be at most 5"),
        FieldError("flag", "must be true or false"),
        FieldError("long", "must be at most 2 characters long"),
        FieldError("short", "must be at least 3 characters long"),
        FieldError("slug", "must match the pattern ^[a-z]+$"),
        FieldError("tags", "must have at least 1 item"),
    ]


def test_bad_type_is_named():
    body = own_template("firmware-service")
    errors = validate_all(body, {**GOOD_VALUES, "sdk_version": "3.6"})
    assert errors == [FieldError("sdk_version", "must be a number")]


def test_nested_object_errors_have_dotted_paths():
    body = own_template("legacy-generator")
    errors = validate_all(body, {**GOOD_VALUES, "generator": {"database": "mongo"}})
    assert [error.field for error in errors] == ["generator.database"]
    assert errors[0].message.startswith("must be one of: mysql, postgresql")


def test_messages_never_echo_huge_values():
    body = template(
        {"properties": {"color": {"type": "string", "enum": ["x" * 500]}, "n": {"type": "string", "not": {}}}}
    )
    errors = validate_all(body, {"color": "y" * 100_000, "n": "z" * 100_000})
    assert all(len(error.message) < 300 for error in errors)
    assert {error.field for error in errors} == {"color", "n"}


def test_entity_name_picker_enforces_backstage_name_rules():
    body = template({"properties": {"name": {"type": "string", "ui:field": "EntityNamePicker"}}})
    assert validate_all(body, {"name": "good-name_1.x"}) == []
    for bad in ["-starts-with-dash", "has space", "a" * 64, "ends."]:
        assert [error.field for error in validate_all(body, {"name": bad})] == ["name"], bad


def test_repo_url_picker_values_are_checked_against_allow_lists():
    body = template(
        {
            "properties": {
                "repoUrl": {
                    "type": "string",
                    "ui:field": "RepoUrlPicker",
                    "ui:options": {"allowedHosts": ["github.com"], "allowedOwners": ["acme"]},
                }
            }
        }
    )
    assert validate_all(body, {"repoUrl": "github.com?owner=acme&repo=svc"}) == []
    assert validate_all(body, {"repoUrl": "gitlab.com?owner=acme&repo=svc"}) == [
        FieldError("repoUrl", "host 'gitlab.com' is not allowed; use one of: github.com")
    ]
    assert validate_all(body, {"repoUrl": "github.com?owner=evil&repo=svc"}) == [
        FieldError("repoUrl", "owner 'evil' is not allowed; use one of: acme")
    ]
    assert validate_all(body, {"repoUrl": "github.com?owner=acme"}) == [
        FieldError("repoUrl", "must name a repository (repo=...)")
    ]


def test_dependency_fields_appear_once_the_controlling_field_selects_them():
    page = parameter_pages(template([CONDITIONAL_PAGE]))[0]
    hidden = visible_fields(page, {"database": "none"})
    assert list(hidden.properties) == ["name", "database"]
    assert hidden.controlling == {"database"}
    shown = visible_fields(page, {"database": "postgres"})
    assert list(shown.properties) == ["name", "database", "dbSize", "dbPassword"]
    assert shown.required == {"database", "dbSize"}


def test_dependency_branch_errors_name_the_conditional_field():
    body = template([CONDITIONAL_PAGE])
    assert validate_all(body, {"database": "none"}) == []
    assert validate_all(body, {"database": "postgres"}) == [FieldError("dbSize", "is required")]
    assert validate_all(body, {"database": "postgres", "dbSize": 500}) == [FieldError("dbSize", "must be at most 100")]


def test_if_then_adds_fields():
    page = parameter_pages(
        template(
            {
                "properties": {"kind": {"type": "string", "enum": ["lib", "svc"]}},
                "if": {"properties": {"kind": {"const": "svc"}}},
                "then": {"properties": {"port": {"type": "integer"}}, "required": ["port"]},
            }
        )
    )[0]
    assert list(visible_fields(page, {"kind": "lib"}).properties) == ["kind"]
    assert list(visible_fields(page, {"kind": "svc"}).properties) == ["kind", "port"]
    assert validate_page(page, {"kind": "svc"}) == [FieldError("port", "is required")]


def test_ui_order_is_applied():
    page = parameter_pages(template({"ui:order": ["b", "*"], "properties": {"a": {}, "b": {}, "c": {}}}))[0]
    assert list(visible_fields(page, {}).properties) == ["b", "a", "c"]


def test_invalid_schema_is_reported_not_raised():
    body = template({"title": "Broken", "properties": {"a": {"type": "strng"}}})
    [error] = validate_all(body, {"a": "x"})
    assert error.field == ""
    assert "'Broken' is not a valid JSON Schema" in error.message


def test_values_must_be_an_object():
    assert validate_all(template({}), ["not", "an", "object"]) == [FieldError("", "the values must be an object")]


def test_secret_fields_are_found_on_every_page_and_in_branches():
    body = template(
        [
            {"properties": {"token": {"type": "string", "ui:field": "Secret"}, "plain": {"type": "string"}}},
            CONDITIONAL_PAGE,
            {
                "properties": {
                    "nested": {"type": "object", "properties": {"pin": {"type": "string", "ui:widget": "password"}}}
                }
            },
        ]
    )
    assert secret_fields(body) == {"token", "dbPassword", "nested.pin"}


def test_unknown_ui_fields_are_named():
    body = template(
        {"properties": {"a": {"type": "string", "ui:field": "MyCustomPicker"}, "b": {"ui:widget": "fancy"}}}
    )
    assert unknown_ui_fields(body) == [
        FieldError("a", "uses the field extension MyCustomPicker, shown as a text input"),
        FieldError("b", "uses the widget fancy, shown as a text input"),
    ]
    assert validate_all(body, {"a": "anything"}) == []


def test_parameter_schema_has_backstage_shape():
    body = own_template("docs-site")
    answer = parameter_schema(body)
    assert answer["title"] == body["metadata"]["title"]
    assert answer["description"] == body["metadata"]["description"]
    assert [step["title"] for step in answer["steps"]] == ["About the site", "Where to publish"]
    assert answer["steps"][0]["schema"]["properties"]["name"]["ui:field"] == "EntityNamePicker"
    assert set(answer) == {"title", "description", "steps"}


def test_parameter_schema_defaults_title_and_passes_presentation():
    body = template({"properties": {}}, name="plain")
    body["spec"]["presentation"] = {"buttonLabels": {"createButtonText": "Go"}}
    answer = parameter_schema(body)
    assert answer["title"] == "plain"
    assert answer["presentation"] == {"buttonLabels": {"createButtonText": "Go"}}
    assert answer["steps"] == [{"title": DEFAULT_PAGE_TITLE, "description": None, "schema": {"properties": {}}}]


def test_patterns_keep_ecma_unicode_escapes():
    body = template({"properties": {"word": {"type": "string", "pattern": "^\\u0041[a-z]+$"}}})
    assert validate_all(body, {"word": "Abc"}) == []
    assert validate_all(body, {"word": "abc"}) == [FieldError("word", "must match the pattern ^\\u0041[a-z]+$")]


def test_a_regex_value_is_checked_by_re2():
    body = template({"properties": {"filter": {"type": "string", "format": "regex"}}})
    assert validate_all(body, {"filter": "^svc-[0-9]+$"}) == []
    assert validate_all(body, {"filter": "(?=x)"}) == [FieldError("filter", "must be a valid regex")]


def test_an_unusable_pattern_names_the_nested_field():
    address = {"type": "object", "properties": {"zip": {"type": "string", "pattern": "(?<=x)1"}}}
    [error] = validate_all(template({"properties": {"address": address}}), {})
    assert error.field == "address.zip"
    assert error.message.startswith("the template's pattern '(?<=x)1' cannot be used: invalid perl operator")


def test_pattern_properties_declare_fields_for_additional_properties():
    labels = {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}
    body = template({"properties": {"labels": labels}})
    assert validate_all(body, {"labels": {"x-team": "a"}}) == []
    assert validate_all(body, {"labels": {"x-team": "a", "other": "b"}}) == [
        FieldError("labels.other", "is not a field of this form")
    ]
    assert validate_all(body, {"labels": {"x-team": 1}}) == [FieldError("labels.x-team", "must be text")]
