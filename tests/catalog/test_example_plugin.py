"""The example plugin in ``examples/annotation_card``: installed like any Django app, it adds a card."""

from __future__ import annotations

import pytest

from portal.registry import entity_cards, restored_registry
from tests.catalog.conftest import load_catalog_file
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db

RUNBOOKS = {
    "with-runbook": "https://wiki.example.com/runbooks/with-runbook",
    "hostile-runbook": "javascript:alert(1)",
    "without-runbook": None,
}
CATALOG = "---\n".join(
    "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
    f"metadata: {{name: {name}, annotations: {{{'greenroom.io/runbook: ' + repr(value) if value else ''}}}}}\n"
    "spec: {type: service, lifecycle: production, owner: team-a}\n"
    for name, value in RUNBOOKS.items()
)


@pytest.fixture
def plugin_installed(settings, monkeypatch):
    """The example app on the path and in INSTALLED_APPS; the registry is put back afterwards."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / "examples" / "annotation_card"))
    with restored_registry():
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "annotation_card"]
        yield
    # pytest-django restores INSTALLED_APPS after the test; the registry is already restored here.


@pytest.fixture
def runbooks(write_file):
    return load_catalog_file(write_file, "runbooks.yaml", CATALOG)


def test_card_shows_the_runbook_link_of_an_entity_with_the_annotation(reader, runbooks, plugin_installed):
    page = reader.get("/catalog/component/default/with-runbook/").content.decode()
    card = page.split('id="card-runbook-title"')[1].split("</section>")[0]
    assert ">Runbook</h2>" in card
    assert '<a href="https://wiki.example.com/runbooks/with-runbook" rel="noopener noreferrer">' in card


def test_card_is_absent_on_an_entity_without_the_annotation(reader, runbooks, plugin_installed):
    page = reader.get("/catalog/component/default/without-runbook/").content.decode()
    assert 'id="card-runbook' not in page and 'id="card-about-title"' in page


def test_hostile_runbook_value_is_shown_as_text(reader, runbooks, plugin_installed):
    page = reader.get("/catalog/component/default/hostile-runbook/").content.decode()
    card = page.split('id="card-runbook-title"')[1].split("</section>")[0]
    assert "<p>javascript:alert(1)</p>" in card and "<a href" not in card


def test_card_comes_after_about_and_owner(reader, runbooks, plugin_installed):
    from catalog.models import Entity

    entity = Entity.objects.filter(ref="component:default/with-runbook").with_relations()[0]
    assert [card.key for card in entity_cards(entity)][:3] == ["about", "owner", "runbook"]


def test_registry_is_clean_without_the_plugin(reader, runbooks):
    page = reader.get("/catalog/component/default/with-runbook/").content.decode()
    assert 'id="card-runbook' not in page
