"""The template form: every corpus template renders, steps keep values, errors sit by their field."""

import re

import pytest
import yaml
from django.core import signing

from scaffolder import submission
from tests.catalog.conftest import load_catalog_file

from .form_client import FormWalk
from .form_fixtures import PEOPLE_AND_SYSTEMS
from .templates import TEMPLATE_FILES, TEMPLATES, read_template

pytestmark = pytest.mark.django_db

KINDS = "/create/templates/default/kinds/"
PICKERS = "/create/templates/default/pickers/"
CONDITIONAL = "/create/templates/default/conditional/"


def form_url(path) -> str:
    return f"/create/templates/default/{read_template(path)['metadata']['name']}/"


def test_form_needs_sign_in(client, template_catalog):
    response = client.get(KINDS)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_unknown_template_is_404(signed_in, template_catalog):
    assert signed_in.get("/create/templates/default/nope/").status_code == 404


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_every_corpus_template_renders_each_step_and_the_review(signed_in, write_file, path):
    body = read_template(path)
    load_catalog_file(write_file, "catalog.yaml", PEOPLE_AND_SYSTEMS + "---\n" + yaml.safe_dump(body, sort_keys=False))
    walk = FormWalk(signed_in, form_url(path))
    titles = [page["title"] for page in body["spec"]["parameters"]]
    assert walk.step_title() == titles[0]
    for title in titles[1:]:
        walk.post("next")  # refused (required fields) but rendered
        assert walk.response.status_code == 200
        walk.post("goto", goto=str(titles.index(title)))
        assert walk.step_title() == title
    walk.post("goto", goto=str(len(titles)))
    assert walk.step_title() == "Review"


def test_labels_for_every_control(signed_in, template_catalog):
    page = FormWalk(signed_in, KINDS).page
    ids = re.findall(r'<(?:input|select|textarea) (?:type="(?:radio|checkbox)" )?id="([^"]+)"', page)
    assert ids
    for control_id in ids:
        assert f'for="{control_id}"' in page, control_id


def test_widgets_follow_types_and_ui_options(signed_in, template_catalog):
    page = FormWalk(signed_in, KINDS).page
    assert '<textarea id="field-summary" name="summary" rows="5" placeholder="Say it"' in page
    assert 'id="field-replicas" name="replicas" type="number" value="2" min="1" max="9" step="1"' in page
    assert 'name="ratio" type="number" value="" step="any"' in page
    assert '<input type="checkbox" id="field-public" name="public" value="true">' in page
    assert 'type="radio" id="field-tier-1" name="tier" value="gold"' in page and "Gold tier" in page
    assert 'type="checkbox" id="field-languages-1" name="languages" value="python"' in page
    assert '<textarea id="field-aliases" name="aliases" rows="4"' in page
    assert 'name="region" type="text" value="eu" readonly' in page
    assert 'maxlength="20"' in page and "Lowercase" in page


def test_html_in_titles_and_descriptions_is_escaped(signed_in, template_catalog):
    page = FormWalk(signed_in, KINDS).page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "Kinds of &lt;b&gt;values&lt;/b&gt;" in page


def test_autofocus_is_rendered(signed_in, template_catalog):
    page = FormWalk(signed_in, form_url(TEMPLATES / "docs-site" / "template.yaml")).page
    assert re.search(r'<input id="field-name" name="name" type="text" value=""[^>]* autofocus', page)


def test_values_round_trip_through_steps(signed_in, template_catalog):
    walk = FormWalk(signed_in, PICKERS)
    walk.post(
        "next", owner="group:default/team-a", system="system:default/payments", anything="component:default/whatever"
    )
    assert walk.step_title() == "Repository"
    walk.post("back", **{"repoUrl.host": "github.com", "repoUrl.owner": "acme", "repoUrl.repo": "svc"})
    assert walk.step_title() == "Pickers"
    assert '<option value="group:default/team-a" selected>' in walk.page
    assert 'value="component:default/whatever"' in walk.page
    walk.post(
        "next", owner="group:default/team-a", system="system:default/payments", anything="component:default/whatever"
    )
    assert 'id="field-repoUrl-repo" name="repoUrl.repo" value="svc"' in walk.page
    walk.post(
        "next", **{"repoUrl.host": "github.com", "repoUrl.owner": "acme", "repoUrl.repo": "svc", "token": "s3cret"}
    )
    assert walk.step_title() == "Review"
    assert "github.com?owner=acme&amp;repo=svc" in walk.page
    assert "s3cret" not in walk.page.split('name="state"')[0] + walk.page.split('name="state"')[1].split(">", 1)[1]
    assert "••••••••" in walk.page


def test_required_pattern_enum_min_max_and_types_are_reported_per_field(signed_in, template_catalog):
    walk = FormWalk(signed_in, KINDS)
    walk.post("next", slug="Not Valid", replicas="12", ratio="abc", tier="bronze", summary="x")
    assert walk.step_title() == "Kinds of <b>values</b>"
    assert walk.field_error("slug") == "Slug is not in the expected format: Lowercase"
    assert walk.field_error("replicas") == "Replicas must be at most 9"
    assert walk.field_error("ratio") == "Ratio must be a number"
    assert walk.field_error("tier") == "Tier must be one of: gold, silver"
    assert 'aria-invalid="true" aria-describedby="field-slug-help field-slug-error"' in walk.page
    walk.post("next", replicas="0")
    assert walk.field_error("slug") == "Slug is required"
    assert walk.field_error("replicas") == "Replicas must be at least 1"


def test_readonly_fields_keep_their_value(signed_in, template_catalog):
    walk = FormWalk(signed_in, KINDS).post("next", slug="ok", region="us")
    assert walk.step_title() == "Review"
    assert "<dt>Region</dt><dd>eu</dd>" in walk.page


def test_unexpected_fields_and_huge_values_are_refused_or_ignored(signed_in, template_catalog):
    walk = FormWalk(signed_in, KINDS).post("next", slug="ok", summary="x" * 20_000, evil="1", **{"slug.extra": "2"})
    assert walk.field_error("summary") == "Summary must be at most 10000 characters long"
    walk.post("next", slug="ok", summary="short", evil="1")
    assert walk.step_title() == "Review"
    assert "evil" not in walk.page


def test_tampered_state_starts_again_with_an_error(signed_in, template_catalog):
    response = signed_in.post(KINDS, {"state": "forged", "step": "0", "action": "next"})
    assert "the form&#x27;s saved answers were altered; start again" in response.content.decode()


def test_state_from_another_template_is_refused(signed_in, template_catalog):
    state = signing.dumps({"slug": "x"}, salt="scaffolder.form:template:default/pickers", compress=True)
    response = signed_in.post(KINDS, {"state": state, "step": "0", "action": "next"})
    assert "start again" in response.content.decode()


def test_conditional_fields_appear_when_the_controlling_field_changes(signed_in, template_catalog):
    walk = FormWalk(signed_in, CONDITIONAL)
    assert "dbSize" not in walk.page
    assert 'hx-post="/create/templates/default/conditional/" hx-trigger="change"' in walk.page
    walk.post("refresh", name="svc", database="postgres")
    assert 'name="dbSize"' in walk.page and walk.errors() == []
    walk.post("next", name="svc", database="postgres")
    assert walk.field_error("dbSize") == "Size (GB) is required"
    walk.post("next", name="svc", database="postgres", dbSize="5", dbPassword="pw")
    assert walk.step_title() == "Review" and "<dt>Size (GB)</dt><dd>5</dd>" in walk.page


def test_hidden_conditional_values_are_dropped(signed_in, template_catalog):
    walk = FormWalk(signed_in, CONDITIONAL).post("refresh", database="postgres")
    walk.post("next", name="svc", database="none", dbSize="5")
    assert walk.step_title() == "Review" and "Size (GB)" not in walk.page


def test_htmx_refresh_returns_only_the_step(signed_in, template_catalog):
    walk = FormWalk(signed_in, CONDITIONAL)
    response = signed_in.post(
        CONDITIONAL,
        {"state": walk.hidden("state"), "step": "0", "action": "refresh", "database": "postgres"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body and 'name="dbSize"' in body and "HX-Request" in response["Vary"]


def test_create_goes_back_to_the_first_page_with_errors(signed_in, template_catalog):
    walk = FormWalk(signed_in, PICKERS).post("goto", goto="2")
    assert walk.step_title() == "Review"
    walk.post("create")
    assert walk.step_title() == "Pickers" and walk.field_error("owner") == "Owner is required"


def test_create_submits_values_and_redirects_to_the_task(signed_in, template_catalog, monkeypatch):
    calls = []

    def fake_submit(template, values, user, dry_run=False):
        calls.append((template.ref, values, user.username))
        assert dry_run is False
        return "0b9f1d1e-0000-4000-8000-000000000001"

    monkeypatch.setattr(submission, "submit", fake_submit)
    walk = FormWalk(signed_in, KINDS).post("next", slug="svc", languages=["go"], aliases="a\r\nb\r\n")
    walk.post("create")
    assert walk.response.status_code == 302
    assert walk.response["Location"].endswith("0b9f1d1e-0000-4000-8000-000000000001/")
    assert calls == [
        (
            "template:default/kinds",
            {"slug": "svc", "languages": ["go"], "aliases": ["a", "b"], "replicas": 2, "public": False, "region": "eu"},
            "alice",
        )
    ]


def test_create_makes_a_real_task_with_secrets_masked(signed_in, template_catalog):
    from scaffolder.models import Task

    walk = FormWalk(signed_in, PICKERS)
    walk.post("next", owner="team-a", system="payments", anything="component:default/billing")
    walk.post(
        "next", **{"repoUrl.host": "github.com", "repoUrl.owner": "acme", "repoUrl.repo": "svc", "token": "s3cret"}
    )
    walk.post("create")
    task = Task.objects.get()
    assert walk.response.status_code == 302
    assert walk.response["Location"] == f"/create/tasks/{task.id}/"
    assert task.template_ref == "template:default/pickers"
    assert task.values["owner"] == "group:default/team-a" and task.values["system"] == "system:default/payments"
    assert task.values["repoUrl"] == "github.com?owner=acme&repo=svc"
    assert "s3cret" not in str(task.values)
    assert signed_in.get(walk.response["Location"]).status_code == 200


def test_picker_refusals_and_allow_lists(signed_in, template_catalog):
    walk = FormWalk(signed_in, PICKERS)
    assert '<option value="group:default/team-a">Team A (group:default/team-a)</option>' in walk.page
    assert "user:default/alice" not in walk.page.split('id="field-owner"')[1].split("</select>")[0]
    system_options = walk.page.split('id="field-system"')[1].split("</select>")[0]
    assert "system:default/payments" in system_options and "system:default/search" not in system_options
    walk.post("next", owner="group:default/nobody", system="system:default/search", anything="not a ref:/")
    assert walk.field_error("owner") == "Owner 'group:default/nobody' is not one of the entities this field offers"
    assert walk.field_error("system") == "System 'system:default/search' is not one of the entities this field offers"
    walk.post("next", owner="team-a", system="payments", anything="component:default/made-up")
    assert walk.step_title() == "Repository"
    walk.post("next", **{"repoUrl.host": "evil.example.com", "repoUrl.owner": "acme", "repoUrl.repo": "svc"})
    assert walk.field_error("repoUrl") == (
        "Repository Location host 'evil.example.com' is not allowed; use one of: github.com, gitlab.example.com"
    )
    walk.post("next", **{"repoUrl.host": "github.com", "repoUrl.owner": "mallory", "repoUrl.repo": "svc"})
    assert walk.field_error("repoUrl") == "Repository Location owner 'mallory' is not allowed; use one of: acme, tools"


def test_picker_suggestions_come_from_the_catalog(signed_in, template_catalog):
    url = "/create/templates/default/pickers/pickers/anything/"
    body = signed_in.get(url, {"anything": "bill"}).content.decode()
    assert body.strip() == '<option value="component:default/billing">component:default/billing</option>'
    assert signed_in.get("/create/templates/default/pickers/pickers/repoUrl/").status_code == 404


def test_entity_name_picker_refuses_bad_names(signed_in, template_catalog):
    walk = FormWalk(signed_in, form_url(TEMPLATES / "add-docs-pr" / "template.yaml"))
    walk.post("next", name="-bad name-")
    assert walk.field_error("name").startswith("Name must be 1-63 characters")
