import pytest

from catalog.formats.filter_syntax import Condition, FilterSyntaxError, parse_filter, parse_filters


def test_conditions_in_one_filter_are_anded():
    assert parse_filter("kind=component,spec.type=service") == (
        Condition("kind", ("component",)),
        Condition("spec.type", ("service",)),
    )


def test_same_key_twice_ors_its_values():
    assert parse_filter("spec.lifecycle=production,spec.lifecycle=experimental") == (
        Condition("spec.lifecycle", ("production", "experimental")),
    )


def test_key_alone_means_exists():
    assert parse_filter("metadata.annotations.backstage.io/techdocs-ref") == (
        Condition("metadata.annotations.backstage.io/techdocs-ref", None),
    )


def test_keys_and_values_are_lowercased_and_trimmed():
    assert parse_filter(" Kind = Component ") == (Condition("kind", ("component",)),)


def test_several_filters_are_separate_clauses():
    assert len(parse_filters(["kind=api", "kind=component"])) == 2


@pytest.mark.parametrize("expression", ["=x", "", " , ", "a=1,=2"])
def test_refuses_empty_statements(expression):
    with pytest.raises(FilterSyntaxError):
        parse_filter(expression)
