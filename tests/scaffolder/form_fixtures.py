"""Template form fixtures: a catalog with teams, people, systems and Template entities."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth import get_user_model

from tests.catalog.conftest import load_catalog_file

from .templates import CONDITIONAL_PAGE, OWN_TEMPLATE_FILES, read_template, template

PEOPLE_AND_SYSTEMS = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, title: Team A}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: payments}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: search}
spec: {owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing}
spec: {type: service, lifecycle: production, owner: team-a}
"""

PICKERS_PAGE = {
    "title": "Pickers",
    "required": ["owner", "system"],
    "properties": {
        "owner": {
            "title": "Owner",
            "type": "string",
            "ui:field": "OwnerPicker",
            "ui:options": {"allowedKinds": ["Group"]},
        },
        "system": {
            "title": "System",
            "type": "string",
            "ui:field": "EntityPicker",
            "ui:options": {"catalogFilter": [{"kind": "System", "spec.owner": "team-a"}], "defaultKind": "System"},
        },
        "anything": {
            "title": "Related",
            "type": "string",
            "ui:field": "EntityPicker",
            "ui:options": {"catalogFilter": {"kind": ["Component", "System"]}, "allowArbitraryValues": True},
        },
    },
}
REPO_PAGE = {
    "title": "Repository",
    "required": ["repoUrl"],
    "properties": {
        "repoUrl": {
            "title": "Repository Location",
            "type": "string",
            "ui:field": "RepoUrlPicker",
            "ui:options": {"allowedHosts": ["github.com", "gitlab.example.com"], "allowedOwners": ["acme", "tools"]},
        },
        "token": {"title": "Token", "type": "string", "ui:field": "Secret"},
    },
}
KINDS_PAGE = {
    "title": "Kinds of <b>values</b>",
    "description": "<script>alert(1)</script>",
    "required": ["slug"],
    "properties": {
        "slug": {"title": "Slug", "type": "string", "pattern": "^[a-z-]+$", "maxLength": 20, "ui:help": "Lowercase"},
        "summary": {"title": "Summary", "type": "string", "ui:widget": "textarea", "ui:placeholder": "Say it"},
        "replicas": {"title": "Replicas", "type": "integer", "minimum": 1, "maximum": 9, "default": 2},
        "ratio": {"title": "Ratio", "type": "number"},
        "public": {"title": "Public", "type": "boolean", "default": False},
        "tier": {
            "title": "Tier",
            "type": "string",
            "enum": ["gold", "silver"],
            "enumNames": ["Gold tier", "Silver tier"],
            "ui:widget": "radio",
        },
        "languages": {"title": "Languages", "type": "array", "items": {"type": "string", "enum": ["python", "go"]}},
        "aliases": {"title": "Aliases", "type": "array", "items": {"type": "string"}},
        "region": {"title": "Region", "type": "string", "default": "eu", "ui:readonly": True},
    },
}


def form_templates() -> list[dict]:
    """The in-repo templates and three written here; the same set whether or not ../shared is present."""
    bodies = [read_template(path) for path in OWN_TEMPLATE_FILES]
    bodies.append(template([CONDITIONAL_PAGE], name="conditional", title="Conditional", tags=["golden-path"]))
    bodies.append(template([PICKERS_PAGE, REPO_PAGE], name="pickers", title="Pickers"))
    bodies.append(
        template(
            [KINDS_PAGE],
            name="kinds",
            title="<img src=x onerror=alert(1)>Kinds",
            description="<b>bold</b> claims",
            annotations={"greenroom.io/golden-path": "true"},
        )
    )
    return bodies


@pytest.fixture
def template_catalog(write_file, db):
    text = PEOPLE_AND_SYSTEMS + "".join("---\n" + yaml.safe_dump(body, sort_keys=False) for body in form_templates())
    location = load_catalog_file(write_file, "catalog.yaml", text)
    assert location.last_error == "" if hasattr(location, "last_error") else True
    return location


@pytest.fixture
def signed_in(client, db):
    client.force_login(get_user_model().objects.create_user("alice"))
    return client
