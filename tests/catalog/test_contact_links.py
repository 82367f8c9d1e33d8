"""Chat and on-call annotations shown as working links, with the annotation key in a tooltip."""

from __future__ import annotations

import pytest

from catalog.contact_links import contact_link, link_url
from tests.catalog.conftest import load_catalog_file

BASES = {"slack": "https://velocity.slack.com/", "pagerduty": "https://velocity.pagerduty.com", "opsgenie": ""}


@pytest.fixture
def bases(settings):
    settings.CATALOG = {**settings.CATALOG, "CONTACT_LINKS": BASES}


@pytest.mark.parametrize(
    ("key", "value", "label", "url"),
    [
        (
            "slack.com/channel",
            "#payments-oncall",
            "Slack",
            "https://velocity.slack.com/app_redirect?channel=payments-oncall",
        ),
        (
            "pagerduty.com/service-id",
            "P12AB3C",
            "PagerDuty service",
            "https://velocity.pagerduty.com/service-directory/P12AB3C",
        ),
        (
            "pagerduty.com/service-id",
            "../../admin?x",
            "PagerDuty service",
            "https://velocity.pagerduty.com/service-directory/..%2F..%2Fadmin%3Fx",
        ),
        ("opsgenie.com/team", "payments", "Opsgenie team", ""),  # no Opsgenie URL configured: text
        ("example.com/on-call", "oncall@velocity.example", "example.com/on-call", "mailto:oncall@velocity.example"),
        ("example.com/on-call", "+44 20 7946 0000", "example.com/on-call", "tel:+442079460000"),
        (
            "example.com/on-call",
            "https://oncall.velocity.example/payments",
            "example.com/on-call",
            "https://oncall.velocity.example/payments",
        ),
        ("example.com/on-call", "javascript:alert(1)", "example.com/on-call", ""),
        ("example.com/on-call", "ask in the lobby", "example.com/on-call", ""),
        ("example.com/channel", "mailto:x@y.example?cc=evil@z.example", "example.com/channel", ""),
    ],
)
def test_known_annotations_link_by_the_configured_base_and_others_only_by_their_value(bases, key, value, label, url):
    link = contact_link(key, value)
    assert (link.label, link.url, link.text) == (label, url, value)


def test_without_a_configured_workspace_a_slack_channel_stays_text(settings):
    settings.CATALOG = {**settings.CATALOG, "CONTACT_LINKS": {"slack": ""}}
    assert contact_link("slack.com/channel", "#payments").url == ""


def test_a_configured_base_that_is_not_a_web_link_is_ignored(settings):
    settings.CATALOG = {**settings.CATALOG, "CONTACT_LINKS": {"pagerduty": "javascript:alert(1)//"}}
    assert contact_link("pagerduty.com/service-id", "P1").url == ""


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("mailto:team-fleet@velocity.example", "mailto:team-fleet@velocity.example"),
        ("tel:+1-555-0100", "tel:+15550100"),
        ("https://example.com/x", "https://example.com/x"),
        ("team-fleet@velocity.example", ""),  # a link must say mailto: to be one
        ("mailto:javascript:alert(1)", ""),
    ],
)
def test_metadata_links_may_be_mailto_and_tel(value, url):
    assert link_url(value) == url


GROUP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: fleet
  annotations:
    slack.com/channel: "#fleet"
    pagerduty.com/service-id: PFLEET1
  links:
    - url: mailto:fleet@velocity.example
      title: Mail the team
spec:
  type: team
  children: []
"""


@pytest.mark.django_db
def test_the_group_page_links_its_contacts_and_its_mailto_link(bases, reader, write_file):
    load_catalog_file(write_file, "fleet.yaml", GROUP)
    response = reader.get("/catalog/group/default/fleet/")
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<dt title="slack.com/channel">Slack</dt><dd><a href="https://velocity.slack.com/app_redirect?channel=fleet"'
        ' title="slack.com/channel" rel="noopener noreferrer">' in page
    )
    assert 'href="https://velocity.pagerduty.com/service-directory/PFLEET1"' in page
    assert '<a href="mailto:fleet@velocity.example" rel="noopener noreferrer"><bdi>Mail the team</bdi></a>' in page
    assert "not a web link" not in page
