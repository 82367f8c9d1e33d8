"""Which entities a track's or campaign's filter selects."""

from __future__ import annotations

import pytest

from soundcheck.selection import EntityFilterError, entities_matching, normalize_entity_filter

from .conftest import descriptor

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(make_catalog):
    make_catalog(
        descriptor("shop", tags=["java", "web"]),
        descriptor("billing", owner="team-b", lifecycle="experimental", tags=["python"]),
        descriptor("site", type="website", owner="user:default/alice"),
        descriptor("orders-api", kind="API", type="openapi", definition="openapi-text"),
    )


def refs(entity_filter: dict) -> list[str]:
    return sorted(entities_matching(entity_filter).values_list("ref", flat=True))


def test_empty_filter_selects_every_entity(catalog):
    assert len(refs({})) == 5  # four entities and the location's own Location entity


def test_filters_by_kind_ignoring_case(catalog):
    assert refs({"kind": ["api"]}) == ["api:default/orders-api"]
    assert refs({"kind": ["COMPONENT"]}) == [
        "component:default/billing",
        "component:default/shop",
        "component:default/site",
    ]


def test_filters_by_type_lifecycle_and_tags(catalog):
    assert refs({"type": ["website"]}) == ["component:default/site"]
    assert refs({"lifecycle": ["experimental"]}) == ["component:default/billing"]
    assert refs({"tags": ["java", "python"]}) == ["component:default/billing", "component:default/shop"]


def test_filters_by_owner_ref_or_bare_group_name(catalog):
    assert refs({"owner": ["Group:default/Team-B"]}) == ["component:default/billing"]
    assert refs({"owner": ["team-b"]}) == ["component:default/billing"]
    assert refs({"owner": ["user:alice"]}) == ["component:default/site"]


def test_keys_are_anded(catalog):
    assert refs({"kind": ["component"], "owner": ["team-a"], "tags": ["web"]}) == ["component:default/shop"]
    assert refs({"kind": ["api"], "tags": ["web"]}) == []


def test_query_count_is_one(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        refs({"kind": ["component"], "owner": ["team-a"], "lifecycle": ["production"]})


@pytest.mark.parametrize(
    ("entity_filter", "message"),
    [
        ({"kinds": ["component"]}, "filter.kinds: unknown filter key"),
        ({"kind": []}, "filter.kind: expected a non-empty list of strings"),
        ({"tags": ["ok", 3]}, "filter.tags[1]: expected a non-empty string"),
        ({"owner": ["group:/x"]}, "filter.owner[0]:"),
        (["kind"], "filter: expected a mapping"),
        ({"filter": ["kind=api", "=x"]}, "filter.filter[1]: invalid filter statement '=x': the key is empty"),
    ],
)
def test_refuses_bad_filters_naming_the_key(entity_filter, message):
    with pytest.raises(EntityFilterError) as raised:
        normalize_entity_filter(entity_filter)
    assert str(raised.value).startswith(message)


def test_filter_expressions_are_ored_and_anded_with_the_other_keys(catalog):
    assert refs({"filter": "metadata.tags=python"}) == ["component:default/billing"]
    assert refs({"filter": ["kind=api", "spec.type=website"]}) == ["api:default/orders-api", "component:default/site"]
    assert refs({"filter": ["kind=api", "spec.type=website"], "owner": ["user:alice"]}) == ["component:default/site"]
    assert refs({"filter": ["relations.ownedby=group:default/team-b,spec.lifecycle=experimental"]}) == [
        "component:default/billing"
    ]


def test_a_single_string_is_a_one_item_list():
    assert normalize_entity_filter({"kind": "Component"}) == {"kind": ["component"]}


AGREEMENT_FILTERS = [
    {},
    {"kind": ["api"]},
    {"kind": ["COMPONENT"], "lifecycle": ["experimental"]},
    {"type": ["website", "openapi"]},
    {"tags": ["JAVA"]},
    {"tags": ["python", "web"], "kind": ["component"]},
    {"owner": ["team-b"]},
    {"owner": ["group:default/team-a", "user:default/alice"]},
    {"owner": ["user:alice"], "type": ["website"]},
    {"kind": "component", "owner": "team-a"},
    {"lifecycle": ["production"], "tags": ["nothing-has-this"]},
    {"filter": ["kind=api", "metadata.tags=java"], "lifecycle": ["production"]},
    {"filter": "relations.ownedby"},
]


@pytest.mark.parametrize("entity_filter", AGREEMENT_FILTERS)
def test_the_entity_page_and_the_evaluation_read_a_filter_alike(catalog, entity_filter):
    """The tab decides in Python (``targets.filter_matches``) what evaluation selects in SQL."""
    from catalog.models import Entity
    from soundcheck.targets import filter_matches

    entities = Entity.objects.all().with_relations()
    in_python = sorted(entity.ref for entity in entities if filter_matches(entity_filter, entity))
    assert in_python == refs(entity_filter)
    assert in_python or entity_filter.get("tags") == ["nothing-has-this"]


def test_a_filter_that_cannot_be_used_selects_nothing_on_the_page():
    from soundcheck.targets import describe_filter, filter_matches

    assert filter_matches({"colour": ["red"]}, object()) is False
    assert describe_filter({"colour": ["red"]}) == [("filter", "cannot be used (edit it in the admin)")]
    assert describe_filter({"owner": "team-a", "kind": ["API"]}) == [
        ("kind", "api"),
        ("owner", "group:default/team-a"),
    ]
    assert describe_filter({"filter": ["kind=api,spec.type=openapi", "metadata.tags"]}) == [
        ("filter", "kind=api,spec.type=openapi or metadata.tags")
    ]
