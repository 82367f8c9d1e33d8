"""The scaffolder's list filters, shared by the runs page (``/create/tasks/``) and ``GET /v2/tasks``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet


class TaskFilterSet(django_filters.FilterSet):
    """Runs by template (``template``), by who started them (``createdBy``) and by status (``status``).

    Values compare as Backstage's scaffolder does: refs case-insensitively, statuses exactly; a value
    that names nothing selects nothing (no error), and several values of one key are ORed.
    """

    template = django_filters.CharFilter(method="filter_template")
    createdBy = django_filters.CharFilter(method="filter_created_by")  # Backstage's parameter name
    status = django_filters.CharFilter(method="filter_status")

    def filter_template(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        template = value.strip().lower()
        return queryset.filter(template_ref=template) if template else queryset

    def filter_created_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        refs = [ref.strip().lower() for ref in self.data.getlist("createdBy") if ref.strip()]
        return queryset.filter(created_by_ref__in=refs) if refs else queryset

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        statuses = [status for status in self.data.getlist("status") if status]
        return queryset.filter(status__in=statuses) if statuses else queryset
