"""EntityTagsPicker, OwnedEntityPicker, MultiEntityPicker, MyGroupsPicker and RepoBranchPicker in the form."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.auth import get_user_model

from scaffolder.parameter_validation import validate_page
from scaffolder.parameters import parameter_pages
from tests.catalog.conftest import load_catalog_file

from .form_client import FormWalk
from .form_fixtures import PEOPLE_AND_SYSTEMS
from .templates import template

URL = "/create/templates/default/more-pickers/"
SUGGEST = URL + "pickers/{}/"

TAGGED = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger, tags: [python, payments]}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: indexer, tags: [python, go]}
spec: {type: service, lifecycle: production, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: ledger-api, tags: [openapi]}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3.0.0"}
"""

PAGE = {
    "title": "Pickers",
    "required": ["mine"],
    "properties": {
        "tags": {
            "title": "Tags",
            "type": "array",
            "items": {"type": "string"},
            "ui:field": "EntityTagsPicker",
            "ui:options": {"kinds": ["Component"], "showCounts": True, "helperText": "Tags for the new service"},
        },
        "knownTags": {
            "title": "Known tags",
            "type": "array",
            "items": {"type": "string"},
            "ui:field": "EntityTagsPicker",
            "ui:options": {"allowArbitraryValues": False},
        },
        "mine": {
            "title": "Mine",
            "type": "string",
            "ui:field": "OwnedEntityPicker",
            "ui:options": {"catalogFilter": {"kind": "System"}, "defaultKind": "System"},
        },
        "group": {"title": "Group", "type": "string", "ui:field": "MyGroupsPicker"},
        "related": {
            "title": "Related",
            "type": "array",
            "items": {"type": "string"},
            "ui:field": "MultiEntityPicker",
            "ui:options": {"catalogFilter": {"kind": ["Component", "System"]}, "defaultKind": "Component"},
        },
        "branch": {
            "title": "Branch",
            "type": "string",
            "ui:field": "RepoBranchPicker",
            "ui:options": {"requestUserCredentials": {"secretsKey": "USER_OAUTH_TOKEN"}},
        },
    },
}
GOOD = {"mine": "system:default/payments", "group": "group:default/team-a", "branch": "feature/tags"}


@pytest.fixture
def picker_catalog(write_file, db):
    body = template([PAGE], name="more-pickers", title="More pickers")
    return load_catalog_file(
        write_file, "catalog.yaml", PEOPLE_AND_SYSTEMS + TAGGED + "---\n" + yaml.safe_dump(body, sort_keys=False)
    )


def section(page: str, field: str) -> str:
    """The HTML of one field, from its id to the next field."""
    return re.split(r'<fieldset |<div class="field', page.split(f'id="field-{field}"')[1], maxsplit=1)[0]


def test_the_pickers_are_known_and_rendered_from_the_catalog(signed_in, picker_catalog):
    page = FormWalk(signed_in, URL).page
    assert "form features Greenroom does not know" not in page
    tags = section(page, "tags")
    assert '<option value="go">go (1)</option><option value="payments">payments (1)</option>' in tags
    assert '<option value="python">python (2)</option>' in tags and "openapi" not in tags
    assert 'name="tags.add"' in tags and "Tags for the new service" in tags
    known = section(page, "knownTags")
    assert 'name="knownTags.add"' not in known
    assert [value in known for value in ('value="openapi"', 'value="python"', 'value="go"')] == [True] * 3
    mine = section(page, "mine")
    assert "system:default/payments" in mine and "system:default/search" not in mine
    group = section(page, "group")
    assert "group:default/team-a" in group and "team-b" not in group
    related = section(page, "related")
    assert 'type="checkbox"' in related and 'value="component:default/ledger"' in related
    assert "system:default/search" in related and "api:default/ledger-api" not in related
    assert "none are asked here" in section(page, "branch")


def test_good_answers_reach_the_review(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL)
    walk.post(
        "next",
        **GOOD,
        **{"tags.add": "python, new-tag", "knownTags": ["go"], "related": ["component:default/ledger"]},
    )
    assert walk.errors() == [] and walk.hidden("step") == "1"
    assert "python, new-tag" in walk.page and "component:default/ledger" in walk.page
    # A picked entity shows by its title, its ref beside it; one without a title by its ref alone.
    assert "<dd>Team A (group:default/team-a)</dd>" in walk.page
    assert "<dd>system:default/payments</dd>" in walk.page


def test_refuses_badly_formed_tags(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL).post("next", **GOOD, **{"tags.add": "ok, Bad_Tag"})
    assert (
        walk.field_error("tags")
        == "Tags 'Bad_Tag' is not a valid tag: tags must be at most 63 lowercase letters, digits, +, # or -"
    )
    assert walk.step_title() == "Pickers"
    walk.post("next", **GOOD, **{"tags.add": "x" * 64})
    assert walk.field_error("tags").startswith(f"Tags '{'x' * 64}' is not a valid tag")


def test_refuses_tags_the_catalog_does_not_use_when_new_ones_are_not_allowed(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL).post("next", **GOOD, knownTags=["go", "made-up"])
    assert walk.field_error("knownTags") == (
        "Known tags 'made-up' is not a tag used in the catalog; choose one of the suggested tags"
    )
    # The refused item stays ticked, so it can be removed.
    assert 'value="made-up" checked' in section(walk.page, "knownTags")


def test_refuses_an_entity_owned_by_someone_else(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL).post("next", **{**GOOD, "mine": "search"})
    assert walk.field_error("mine") == "Mine 'system:default/search' is not one of the entities this field offers"


def test_refuses_a_group_the_person_is_not_in(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL).post("next", **{**GOOD, "group": "team-b"})
    assert walk.field_error("group") == "Group 'group:default/team-b' is not one of the entities this field offers"


def test_multi_entity_picker_checks_every_item(signed_in, picker_catalog):
    walk = FormWalk(signed_in, URL).post("next", **GOOD, related=["component:default/ledger", "api:default/ledger-api"])
    assert walk.field_error("related") == (
        "Related 'api:default/ledger-api' is not one of the entities this field offers"
    )
    walk.post("next", **GOOD, related=["not a ref:/"])
    assert walk.field_error("related") == "Related 'not a ref:/' is not an entity reference such as kind:namespace/name"


@pytest.mark.parametrize("branch", ["feature..x", "has space", "/lead", "trail/", "x.lock", "a@{b", "~tilde"])
def test_refuses_branch_names_git_refuses(signed_in, picker_catalog, branch):
    walk = FormWalk(signed_in, URL).post("next", **{**GOOD, "branch": branch})
    assert walk.field_error("branch").startswith("Branch must be a branch name git accepts")


def test_a_person_without_a_catalog_user_is_offered_no_groups_or_owned_entities(client, picker_catalog):
    client.force_login(get_user_model().objects.create_user("stranger"))
    page = FormWalk(client, URL).page
    assert "system:default/payments" not in section(page, "mine")
    assert "group:default/team-a" not in section(page, "group")
    walk = FormWalk(client, URL).post("next", **GOOD)
    assert walk.field_error("mine") == "Mine 'system:default/payments' is not one of the entities this field offers"


def test_tag_suggestions_follow_the_typed_text_and_kinds(signed_in, picker_catalog):
    body = signed_in.get(SUGGEST.format("tags"), {"tags.add": "ok, py"}).content.decode()
    assert body.strip() == '<option value="python">python (2)</option>'
    body = signed_in.get(SUGGEST.format("knownTags"), {"knownTags.add": "open"}).content.decode()
    assert body.strip() == '<option value="openapi">openapi</option>'


def test_owned_and_group_suggestions_are_the_persons_own(signed_in, picker_catalog):
    assert signed_in.get(SUGGEST.format("mine"), {"mine": "s"}).content.decode().count("<option") == 1
    body = signed_in.get(SUGGEST.format("group"), {"group": ""}).content.decode()
    assert body.strip() == '<option value="group:default/team-a">Team A (group:default/team-a)</option>'
    assert signed_in.get(SUGGEST.format("branch")).status_code == 404


def _owned_systems(write_file, count: int, start: int = 0) -> None:
    text = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {{name: owned-{index}}}\n"
        "spec: {owner: team-a}\n"
        for index in range(start, start + count)
    )
    load_catalog_file(write_file, f"systems-{start}.yaml", text)


# Session, user and template, then the picker's one query (tags: none once the facet is cached; the
# person's groups are cached per catalog version).
QUERIES = {"mine": 4, "related": 4, "tags": 3, "group": 4}


@pytest.mark.parametrize("field", sorted(QUERIES))
def test_suggestions_cost_a_fixed_number_of_queries(signed_in, picker_catalog, write_file, field):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        signed_in.get(SUGGEST.format(field), {field: "o"})  # warm the per-catalog caches
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(SUGGEST.format(field), {field: "o"}).status_code == 200
        return len(queries)

    _owned_systems(write_file, 5)
    small = count()
    _owned_systems(write_file, 10, start=5)
    assert count() == small
    assert small == QUERIES[field]


def test_the_schema_rules_apply_without_the_form(db):
    """Task creation through the API checks tag format, refs and branch names too (no catalog needed)."""
    (page,) = parameter_pages(template([PAGE]))
    values = {"mine": "x", "tags": ["UPPER"], "related": ["::"], "branch": "a..b"}
    messages = {error.field: error.message for error in validate_page(page, values)}
    assert messages["tags"].startswith("'UPPER' is not a valid tag")
    assert messages["related"] == "'::' is not an entity reference such as kind:namespace/name"
    assert messages["branch"].startswith("must be a branch name git accepts")
    messages = {error.field: error.message for error in validate_page(page, {"mine": "x", "tags": "python"})}
    assert messages["tags"] == "must be a list"
