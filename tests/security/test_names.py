"""Names and refs Backstage accepts (``group:../../../etc/passwd``, names with ``/``) never break a page.

Entity refs are parsed without checking their parts (Backstage's rule), so an owner, a relation
target or a template's output may name something no URL can address. Pages link what can be
addressed, with each path segment quoted, and show the rest as text.
"""

from __future__ import annotations

import pytest

from scaffolder.models import Task
from tests.conftest import component
from tests.soundcheck.factories import make_campaign, make_check, make_track, track_result

pytestmark = pytest.mark.django_db

TRAVERSAL_OWNER = "group:../../../etc/passwd"


@pytest.fixture
def odd_refs(load_descriptor):
    """A component owned by a traversal ref, depending on refs whose names hold ``/``, ``?`` and ``#``."""
    load_descriptor(
        component(
            "web",
            owner=f'"{TRAVERSAL_OWNER}"',
            system='"ns/a/b"',
            dependsOn='["component:default/what?x=1#frag", "resource:default/%2e%2e", "resource:../.."]',
        )
    )


def test_the_entity_page_of_an_entity_with_a_traversal_owner_answers(signed_in, odd_refs):
    response = signed_in.get("/catalog/component/default/web/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "../../etc/passwd" in html
    assert 'href="/catalog/group/../' not in html
    assert 'href="/catalog/component/default/what%3Fx=1%23frag/"' in html


def test_dot_segments_in_refs_are_escaped_so_the_link_cannot_lead_elsewhere(signed_in, odd_refs):
    html = signed_in.get("/catalog/component/default/web/").content.decode()

    assert 'href="/catalog/resource/%2E%2E/%2E%2E/"' in html
    assert signed_in.get("/catalog/resource/%2E%2E/%2E%2E/").status_code == 404


def test_the_catalog_list_with_a_traversal_owner_answers(signed_in, odd_refs):
    response = signed_in.get("/catalog/")

    assert response.status_code == 200
    assert "../../etc/passwd" in response.content.decode()


def test_soundcheck_overview_with_a_traversal_owner_answers(signed_in, odd_refs):
    track = make_track("basics", levels=(("Bronze", [make_check()]),))
    track_result(track, "component:default/web", 0, TRAVERSAL_OWNER)
    track_result(track, "component:ns/a/b", 1, "group:default/x/y")

    response = signed_in.get("/soundcheck/")

    assert response.status_code == 200
    assert "../../etc/passwd" in response.content.decode()


def test_soundcheck_campaign_page_with_odd_refs_answers(signed_in, odd_refs):
    track = make_track("basics", levels=(("Bronze", [make_check()]),))
    track_result(track, "component:ns/a/b", 0, TRAVERSAL_OWNER)
    campaign = make_campaign(track=track, target_level=1, owner_ref="group:default/a/b")

    response = signed_in.get(f"/soundcheck/campaigns/{campaign.key}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "group:default/a/b" in html
    assert 'href="soundcheck/"' not in html and 'href=""' not in html


def test_the_relations_tab_with_odd_refs_answers(signed_in, odd_refs):
    assert signed_in.get("/catalog/component/default/web/relations/").status_code == 200


def test_a_task_page_whose_output_entity_ref_holds_a_slash_answers(signed_in, django_user_model):
    task = Task.objects.create(
        template_ref="template:default/tpl",
        template_body={},
        status=Task.Status.COMPLETED,
        created_by=django_user_model.objects.get(username="alice"),
        output={"links": [{"title": "Made", "entityRef": "component:default/a/b"}, {"entityRef": "group:../x"}]},
    )

    response = signed_in.get(task.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Made" in html and "group:../x" in html
