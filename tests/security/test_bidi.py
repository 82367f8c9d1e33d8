"""Bidi controls and invisible characters in names, titles and refs cannot spoof what a page shows."""

from __future__ import annotations

import pytest

from portal.display_text import isolated_html, visible_html, visible_text

pytestmark = pytest.mark.django_db

RLO = "\u202e"
SPOOFED_TITLE = f"invoice{RLO}fdp.exe"
MARKED_TITLE = (
    '<bdi>invoice<span class="hidden-char" title="U+202E right-to-left override">[U+202E]</span>fdp.exe</bdi>'
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (RLO, "U+202E"),
        ("\u2066", "U+2066"),
        ("\u200f", "U+200F"),
        ("\u061c", "U+061C"),
        ("\u200b", "U+200B"),
        ("\ufeff", "U+FEFF"),
        ("\u3164", "U+3164"),
        ("\x07", "U+0007"),
    ],
)
def test_each_hidden_character_is_replaced_by_a_visible_marker(text, code):
    html = visible_html(f"a{text}b")

    assert text not in html
    assert f">[{code}]</span>" in html


def test_plain_ascii_right_to_left_letters_and_joiners_are_shown_as_they_are():
    assert visible_html("web <b>") == "web &lt;b&gt;"
    assert visible_html("\u05e9\u05dc\u05d5\u05dd") == "\u05e9\u05dc\u05d5\u05dd"
    assert visible_html("\U0001f469\u200d\U0001f4bb") == "\U0001f469\u200d\U0001f4bb"


def test_the_isolated_form_wraps_in_bdi_and_the_plain_form_writes_code_points():
    assert isolated_html(SPOOFED_TITLE) == MARKED_TITLE
    assert visible_text(SPOOFED_TITLE) == "invoice[U+202E]fdp.exe"


@pytest.fixture
def spoofed(load_descriptor):
    load_descriptor(
        f"""
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: web
          title: "{SPOOFED_TITLE}"
        spec:
          type: service
          lifecycle: production
          owner: "group:default/team{RLO}a"
        """
    )


def test_the_catalog_list_marks_hidden_characters_in_titles_and_refs(signed_in, spoofed):
    html = signed_in.get("/catalog/").content.decode()

    assert RLO not in html
    assert MARKED_TITLE in html
    assert '">team<span class="hidden-char" title="U+202E right-to-left override">[U+202E]</span>a</a></bdi>' in html


def test_the_entity_page_header_marks_hidden_characters(signed_in, spoofed):
    html = signed_in.get("/catalog/component/default/web/").content.decode()

    assert RLO not in html
    assert f"<h1>{MARKED_TITLE}</h1>" in html
    assert "<title>invoice[U+202E]fdp.exe" in html


def test_search_results_mark_hidden_characters(signed_in, spoofed):
    from portal.search.indexing import sync_catalog

    sync_catalog(force=True)
    html = signed_in.get("/search/", {"q": "invoice"}).content.decode()

    assert RLO not in html
    assert '<bdi><mark>invoice</mark><span class="hidden-char"' in html


def test_a_task_page_marks_hidden_characters_in_its_template_ref_and_links(signed_in, django_user_model):
    from scaffolder.models import Task

    task = Task.objects.create(
        template_ref=f"template:default/new{RLO}ecivres",
        template_body={},
        status=Task.Status.COMPLETED,
        created_by=django_user_model.objects.get(username="alice"),
        output={"links": [{"title": SPOOFED_TITLE, "url": "https://example.com/"}]},
    )

    html = signed_in.get(task.get_absolute_url()).content.decode()

    assert RLO not in html
    assert "<code><bdi>template:default/new<span" in html
    assert MARKED_TITLE in html


def test_the_soundcheck_team_page_marks_hidden_characters_in_the_team_title(signed_in, load_descriptor):
    load_descriptor(
        f"""
        apiVersion: backstage.io/v1alpha1
        kind: Group
        metadata:
          name: payments
          title: "{SPOOFED_TITLE}"
        spec:
          type: team
          children: []
        """
    )

    html = signed_in.get("/soundcheck/teams/default/payments/").content.decode()

    assert RLO not in html
    assert f"<h1>{MARKED_TITLE}</h1>" in html
    assert "<title>invoice[U+202E]fdp.exe" in html


def test_the_explorer_owner_picker_writes_no_hidden_character_raw(signed_in, spoofed):
    html = signed_in.get("/catalog/", {"kind": ""}).content.decode()
    owners = html.split('<select name="owner">')[1].split("</select>")[0]
    assert RLO not in owners
    # Shown with a visible marker; the value keeps the character as a reference, so it still filters.
    assert 'value="group:default/team&#x202e;a">team[U+202E]a (' in owners
