"""The catalog explorer's filters (django-filter), compiled by the same filter compiler as the API's."""

from __future__ import annotations

import django_filters
from django import forms

from portal.identity import ownership_refs

from .filtering import CANONICAL_KINDS, EXPLORER_KEYS, SortValue, explorer_clause, filter_q
from .formats.filter_syntax import FilterClause, FilterSyntaxError, parse_filters
from .models import Entity

__all__ = ["CANONICAL_KINDS", "SORTS", "EntityFilterSet", "FilterExpressionField"]
# Each ends in ``ref`` or ``id`` (unique), so a page boundary never splits ties differently between
# requests. Every explorer column sorts along an index (with the kind filter the explorer opens on):
# name, kind and type on their columns' indexes; lifecycle, owner, system (by name), tags (the
# search document's first) and description (up to 200 characters, as the search document keeps
# them) on the sort-value indexes of migration 0019, ``(kind, first value, id)``.
SORT_KEYS = {
    "lifecycle": "spec.lifecycle",
    "owner": "spec.owner",
    "system": "spec.system",
    "tags": "metadata.tags",
    "description": "metadata.description",
}
# Values that are refs (``user:default/ana``, ``default/fleet``, ``fleet``) sort by their name, as
# the explorer shows them.
NAME_SORT_KEYS = ("owner", "system")


class NameSortValue(SortValue):
    """The name part of the ``SortValue``: what follows its last ``:`` or ``/``.

    Plain string functions both databases have (an ``rtrim`` of every other character leaves
    the part up to the last ``/``), spelled as the indexes of migration 0019 are.
    """

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        value_sql, params = super().as_sql(compiler, connection, **extra)
        slashed = f"replace({value_sql}, ':', '/')"
        return f"replace({slashed}, rtrim({slashed}, replace({slashed}, '/', '')), '')", [*params] * 3


SORTS: dict[str, tuple] = {
    "name": ("name", "ref"),
    "-name": ("-name", "-ref"),
    "kind": ("kind", "name", "ref"),
    "-kind": ("-kind", "-name", "-ref"),
    "type": ("spec_type", "name", "ref"),
    "-type": ("-spec_type", "-name", "-ref"),
}
for _sort, _key in SORT_KEYS.items():
    _value = NameSortValue(_key) if _sort in NAME_SORT_KEYS else SortValue(_key)
    SORTS[_sort] = (_value.asc(), "id")
    SORTS[f"-{_sort}"] = (_value.desc(), "-id")


class FilterExpressionField(forms.Field):
    """Repeated ``filter`` parameters in Backstage's syntax, cleaned to parsed clauses."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[FilterClause]:
        expressions = [item for item in (value or []) if isinstance(item, str) and item.strip()]
        try:
            return parse_filters(expressions)
        except FilterSyntaxError as error:
            raise forms.ValidationError(str(error), code="filter_syntax") from None


class FilterExpressionFilter(django_filters.Filter):
    field_class = FilterExpressionField


class EntityFilterSet(django_filters.FilterSet):
    """Kind, type, lifecycle, owner, tag, namespace, Backstage ``filter`` expressions, text and
    processing errors; all in the URL.

    The index fields and ``filter`` become one set of clauses for ``catalog.filtering.filter_q``
    (``filter_queryset``), so the explorer selects what ``GET /entities?filter=`` selects.
    """

    q = django_filters.CharFilter(method="filter_text", label="Text")
    kind = django_filters.CharFilter(method="filter_conditions", label="Kind")
    type = django_filters.CharFilter(method="filter_conditions", label="Type")
    lifecycle = django_filters.CharFilter(method="filter_conditions", label="Lifecycle")
    tag = django_filters.CharFilter(method="filter_conditions", label="Tag")
    namespace = django_filters.CharFilter(method="filter_conditions", label="Namespace")
    owner = django_filters.CharFilter(method="filter_conditions", label="Owner")
    filter = FilterExpressionFilter(method="filter_conditions", label="Filter")
    errors = django_filters.BooleanFilter(method="filter_errors", label="Has processing errors")
    # Personal filters: they read ``request.user``, so their answers differ from one person to the next.
    owned = django_filters.ChoiceFilter(method="filter_owned", choices=[("me", "me")], label="Owned by me")
    starred = django_filters.BooleanFilter(method="filter_starred", label="Starred")
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label="Sort", choices=[(key, key) for key in SORTS], empty_label=None
    )

    class Meta:
        model = Entity
        fields: list[str] = []

    def filter_queryset(self, queryset):
        """Every condition field compiled at once, then the other filters one by one."""
        data = self.form.cleaned_data
        fields = explorer_clause({name: data.get(name) for name in EXPLORER_KEYS})
        expressions = data.get("filter") or []
        clauses = [fields + clause for clause in expressions] if expressions else [fields] if fields else []
        if clauses:
            # Plain columns where there is one: stored lowercase, so an exact match the planner has
            # statistics for (an iexact match hides them behind upper() and it scanned every entity).
            queryset = queryset.filter(filter_q(clauses, columns=True))
        return super().filter_queryset(queryset)

    def filter_conditions(self, queryset, name: str, value):
        """Applied by ``filter_queryset`` together with the other condition fields."""
        return queryset

    def filter_error(self) -> str | None:
        """The message of a ``filter`` expression that cannot be read (the page answers 400)."""
        errors = self.form.errors.get("filter") if self.is_bound else None
        return str(errors[0]) if errors else None

    def filter_text(self, queryset, name: str, value: str):
        text = value.strip()
        return queryset.matching_text(text)

    def filter_errors(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.exclude(processing_errors=[]) if value else queryset.filter(processing_errors=[])

    def filter_owned(self, queryset, name: str, value: str):
        if value != "me":
            return queryset
        return queryset.owned_by_any(ownership_refs(self.user))

    def filter_starred(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        if value:
            return queryset.starred_by(self.user)
        return queryset.exclude(pk__in=Entity.objects.starred_by(self.user).values("pk"))

    @property
    def user(self):
        return getattr(self.request, "user", None)

    def cache_scope(self) -> list | None:
        """What besides the query string shapes the rows, for cache keys; None: do not cache.

        "Owned by me" depends on the person's ownership refs (which change only with the catalog,
        like every cached count); "starred" changes with every star, so it is never cached.
        """
        data = self.form.cleaned_data if self.is_valid() else {}
        if data.get("starred") is not None:
            return None
        if data.get("owned") == "me":
            return [["owned-by", ownership_refs(self.user)]]
        return []

    def filter_sort(self, queryset, name: str, value: str):
        return queryset.order_by(*SORTS.get(value, SORTS["name"]))
