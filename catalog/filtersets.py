"""The catalog explorer's filters (django-filter), answered from the same index as the API's filters."""

from __future__ import annotations

import django_filters

from portal.identity import ownership_refs

from .formats.filter_syntax import Condition
from .formats.validation import KNOWN_KINDS
from .models import Entity
from .querysets import condition_q

# Kinds are validated with their exact spelling, so the column holds one spelling per kind.
CANONICAL_KINDS = {kind.lower(): kind for kind in KNOWN_KINDS}
# Each ends in ``ref`` (unique), so a page boundary never splits ties differently between requests.
SORTS = {
    "name": ("name", "ref"),
    "-name": ("-name", "-ref"),
    "kind": ("kind", "name", "ref"),
    "-kind": ("-kind", "-name", "-ref"),
}


class EntityFilterSet(django_filters.FilterSet):
    """Kind, type, lifecycle, owner, tag, namespace, text and processing errors; all in the URL."""

    q = django_filters.CharFilter(method="filter_text", label="Text")
    kind = django_filters.CharFilter(method="filter_index", label="Kind")
    type = django_filters.CharFilter(method="filter_index", label="Type")
    lifecycle = django_filters.CharFilter(method="filter_index", label="Lifecycle")
    tag = django_filters.CharFilter(method="filter_index", label="Tag")
    namespace = django_filters.CharFilter(method="filter_index", label="Namespace")
    owner = django_filters.CharFilter(method="filter_owner", label="Owner")
    errors = django_filters.BooleanFilter(method="filter_errors", label="Has processing errors")
    # Personal filters: they read ``request.user``, so their answers differ from one person to the next.
    owned = django_filters.ChoiceFilter(method="filter_owned", choices=[("me", "me")], label="Owned by me")
    starred = django_filters.BooleanFilter(method="filter_starred", label="Starred")
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label="Sort", choices=[(key, key) for key in SORTS], empty_label=None
    )

    INDEX_KEYS = {
        "kind": "kind",
        "type": "spec.type",
        "lifecycle": "spec.lifecycle",
        "tag": "metadata.tags",
        "namespace": "metadata.namespace",
    }

    class Meta:
        model = Entity
        fields: list[str] = []

    def filter_index(self, queryset, name: str, value: str):
        value = value.strip()
        # Plain columns where there is one: they need no read of the search document.
        if name == "kind" and value.lower() in CANONICAL_KINDS:
            return queryset.filter(kind=CANONICAL_KINDS[value.lower()])
        # Stored lowercase, so an exact match that the planner has statistics for (an iexact
        # match hides them behind upper() and the planner fell back to scanning every entity).
        if name == "type":
            return queryset.filter(spec_type=value.lower())
        if name == "lifecycle":
            return queryset.filter(lifecycle=value.lower())
        return queryset.filter(condition_q(Condition(self.INDEX_KEYS[name], (value.lower(),))))

    def filter_text(self, queryset, name: str, value: str):
        text = value.strip()
        return queryset.matching_text(text)

    def filter_owner(self, queryset, name: str, value: str):
        owner = value.strip().lower()
        if owner and ":" not in owner:
            owner = f"group:default/{owner}" if "/" not in owner else f"group:{owner}"
        return queryset.owned_by(owner) if owner else queryset

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
