"""Curator screens: locations (register, refresh now, unregister with a preview), entities (search,
filters, edit the body with ingestion's validation, history, delete orphans) and their history.

Every write goes through ``catalog.services``; changelists annotate what they show, so a page costs
the same few queries at 10 rows or 100.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from portal.permissions import is_platform_admin

from .admin_forms import EntityBodyForm, LocationAddForm
from .models import Entity, EntityHistory, Location
from .services import delete_location, delete_orphans, register_location
from .services.entities import delete_entity, delete_history, replace_entity_body
from .services.refresh_requests import request_refresh

HISTORY_SHOWN = 20
OWNER_CHOICES = 300


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("location_ref", "origin", "status", "entity_count", "last_refreshed_at", "last_commit")
    list_filter = ("type", "origin", "status")
    search_fields = ("target",)
    readonly_fields = (
        "type",
        "target",
        "presence",
        "origin",
        "rules",
        "status",
        "errors",
        "last_commit",
        "last_refresh_started_at",
        "last_refreshed_at",
    )
    actions = ("refresh_now", "unregister")
    show_full_result_count = False
    delete_confirmation_template = "admin/catalog/location/unregister_confirmation.html"

    def get_queryset(self, request):
        entity_counts = (
            Entity.objects.filter(location=OuterRef("pk")).order_by().values("location").annotate(n=Count("id"))
        )
        return super().get_queryset(request).annotate(entity_total=Subquery(entity_counts.values("n")[:1]))

    @admin.display(description="entities", ordering="entity_total")
    def entity_count(self, obj: Location) -> int:
        return obj.entity_total or 0

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("LocationAddForm", (LocationAddForm,), {"trusted": is_platform_admin(request.user)})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("type", "target", "presence") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        location = register_location(form.spec, trusted=form.trusted, queue_refresh=True)
        obj.pk, obj._state.adding, obj._state.db = location.pk, False, location._state.db
        messages.info(request, "The location is registered; its first refresh is queued.")

    @admin.action(description="Refresh selected locations now (in the background)", permissions=["change"])
    def refresh_now(self, request, queryset):
        locations = list(queryset)
        for location in locations:
            request_refresh(location, reason="admin")
        messages.info(request, f"{len(locations)} refresh(es) queued")

    @admin.action(description="Unregister selected locations and delete their entities", permissions=["delete"])
    def unregister(self, request, queryset):
        locations = list(queryset)
        if request.POST.get("confirm") != "yes":
            return self._preview(request, locations)
        removed = sum(delete_location(location) for location in locations)
        messages.success(request, f"{len(locations)} location(s) unregistered, {removed} entit(ies) deleted")
        return None

    def _preview(self, request, locations: list[Location]) -> TemplateResponse:
        """The confirmation page: which entities go with these locations (the first few of each)."""
        previews = [(location, preview_entities(location)) for location in locations]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Unregister locations?",
            "previews": previews,
            "selected": [str(location.pk) for location in locations],
            "action": "unregister",
        }
        return TemplateResponse(request, "admin/catalog/location/unregister_preview.html", context)

    def render_delete_form(self, request, context):
        context["entity_preview"] = preview_entities(context["object"])
        return super().render_delete_form(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # "unregister" previews what goes; the generic bulk delete would not.
        actions.pop("delete_selected", None)
        return actions

    def get_deleted_objects(self, objs, request):
        # Django would list every cascaded entity row (minutes for a large location); the
        # confirmation page shows ``preview_entities`` instead.
        return [str(obj) for obj in objs], {"locations": len(objs)}, set(), []

    def delete_model(self, request, obj):
        delete_location(obj)

    def delete_queryset(self, request, queryset):
        for location in queryset:
            delete_location(location)


PREVIEW_LIMIT = 50


def preview_entities(location: Location) -> dict:
    """Up to ``PREVIEW_LIMIT`` refs the location provides, and how many in all."""
    entities = Entity.objects.filter(location=location).order_by("ref")
    return {"refs": list(entities.values_list("ref", flat=True)[:PREVIEW_LIMIT]), "total": entities.count()}


class OwnerFilter(admin.SimpleListFilter):
    """Owner, offered from the catalog's groups (a bounded list), answered from the relation index."""

    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        groups = Entity.objects.filter(kind="Group").order_by("name").values_list("ref", "name")[:OWNER_CHOICES]
        return list(groups)

    def queryset(self, request, queryset):
        return queryset.owned_by(self.value()) if self.value() else queryset


class ProcessingErrorsFilter(admin.SimpleListFilter):
    title = "processing errors"
    parameter_name = "errors"

    def lookups(self, request, model_admin):
        return (("yes", "With errors"), ("no", "Without errors"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(processing_errors=[])
        if self.value() == "no":
            return queryset.filter(processing_errors=[])
        return queryset


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    form = EntityBodyForm
    list_display = ("ref", "kind", "owner", "lifecycle", "has_errors", "is_orphan", "generation", "updated_at")
    list_filter = ("kind", OwnerFilter, "lifecycle", ProcessingErrorsFilter, "is_orphan")
    search_fields = ("name", "title", "ref")
    show_full_result_count = False
    actions = ("delete_selected_orphans",)
    fields = ("edit_note", "body_yaml", "ref", "location", "location_key", "generation", "etag", "errors", "history")
    readonly_fields = ("edit_note", "ref", "location", "location_key", "generation", "etag", "errors", "history")

    def get_queryset(self, request):
        # The search index is never shown; bodies are read only by the change view.
        return super().get_queryset(request).defer("search").with_owner_ref()

    def get_changelist(self, request, **kwargs):
        return DeferredBodyChangeList

    def has_add_permission(self, request):
        # Entities come from locations; register a location instead.
        return False

    @admin.display(description="owner", ordering="owner_ref")
    def owner(self, obj: Entity) -> str:
        return obj.owner_ref or ""

    @admin.display(boolean=True, description="errors")
    def has_errors(self, obj: Entity) -> bool:
        return bool(obj.processing_errors)

    @admin.display(description="source")
    def edit_note(self, obj: Entity) -> str:
        return format_html(
            "<strong>This entity is read from {}.</strong> An edit here is validated like the file and recorded "
            "in history, but the next change to the source file overwrites it: change the file for good.",
            obj.location_key,
        )

    @admin.display(description="processing errors")
    def errors(self, obj: Entity) -> str:
        if not obj.processing_errors:
            return "none"
        return format_html_join("", "<p>{}</p>", ((str(item.get("message", item)),) for item in obj.processing_errors))

    @admin.display(description="history (latest first)")
    def history(self, obj: Entity) -> str:
        versions = EntityHistory.objects.of_entity(obj.ref).order_by("-recorded_at", "-id")[:HISTORY_SHOWN]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:catalog_entityhistory_change", args=[version.pk]),
                    version.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                    version.change,
                    version.generation,
                    ", ".join(version.changed_fields or []),
                    version.commit[:12],
                )
                for version in versions.defer("body")
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Change</th><th>Generation</th><th>Fields</th><th>Commit</th>"
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def save_model(self, request, obj, form, change):
        changed = replace_entity_body(obj, form.new_body)
        if changed:
            messages.warning(request, "Saved. The next change to the entity's source file overwrites this edit.")
        else:
            messages.info(request, "Nothing changed.")

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting a live entity is undone by the next refresh; curators delete orphans instead.
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        delete_entity(obj)

    def log_change(self, request, obj, message):
        return super().log_change(request, obj, "Edited the body")

    @admin.action(description="Delete selected orphans", permissions=["delete"])
    def delete_selected_orphans(self, request, queryset):
        orphans = list(queryset.filter(is_orphan=True).order_by("ref").values_list("ref", flat=True))
        if not orphans:
            messages.warning(request, "None of the selected entities is orphaned; nothing was deleted.")
            return None
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Delete orphaned entities?",
                "orphans": orphans,
                "skipped": queryset.count() - len(orphans),
                "selected": list(queryset.values_list("pk", flat=True)),
                "action": "delete_selected_orphans",
            }
            return TemplateResponse(request, "admin/catalog/entity/delete_orphans_preview.html", context)
        deleted = delete_orphans(orphans)
        messages.success(request, f"{deleted} orphaned entit(ies) deleted")
        return None


class DeferredBodyChangeList(ChangeList):
    """The entity changelist reads neither bodies nor search documents (an API's body holds its
    whole definition)."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("body", "search")


@admin.register(EntityHistory)
class EntityHistoryAdmin(admin.ModelAdmin):
    list_display = ("entity_ref", "change", "generation", "commit", "recorded_at")
    list_filter = ("change",)
    search_fields = ("entity_ref",)
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return DeferredHistoryBodyChangeList

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        delete_history([obj])

    def delete_queryset(self, request, queryset):
        delete_history(list(queryset.only("pk", "entity_ref")))


class DeferredHistoryBodyChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("body")


from . import admin_providers  # noqa: E402, F401 - registers the entity providers screen
