from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The software catalog: locations, entities, relations and their history."""

    name = "catalog"
    verbose_name = "Software catalog"

    def ready(self) -> None:
        from django.core import checks

        from .checks import app_config_check

        checks.register(app_config_check, "catalog")
        from portal.registry import (
            EntityTab,
            HomeWidget,
            NavItem,
            register_entity_tab,
            register_home_widget,
            register_identity_resolver,
            register_metrics_collector,
            register_nav_item,
            register_readiness_detail,
            register_search_collator,
        )
        from portal.search.indexing import on_entities_changed
        from portal.services.audit import record_catalog_write

        from .audit import catalog_write
        from .identity import CATALOG_IDENTITY
        from .metrics_collectors import CatalogCollector
        from .provider_status import readiness_summary
        from .quick_links import quick_links_context
        from .search_collator import CATALOG_COLLATOR
        from .signals import entities_changed

        # The catalog announces its writes; the portal records them and keeps the search index in step.
        catalog_write.connect(record_catalog_write, dispatch_uid="portal.audit")
        entities_changed.connect(on_entities_changed, dispatch_uid="portal.search")
        register_metrics_collector("catalog", CatalogCollector)
        register_readiness_detail("catalog", readiness_summary)
        register_identity_resolver(CATALOG_IDENTITY)
        register_search_collator(CATALOG_COLLATOR)
        register_home_widget(
            HomeWidget("quick-links", "Quick links", "portal/widgets/quick_links.html", 40, quick_links_context)
        )

        from . import tabs
        from .api_definitions import definition_context, is_api
        from .entity_extensions import register_entity_page

        register_nav_item(NavItem("Catalog", "catalog:entity_list", order=10))
        register_nav_item(NavItem("APIs", "catalog:api_list", order=20))
        register_nav_item(NavItem("Explore", "catalog:explore", order=25))
        register_nav_item(NavItem("Who owns it?", "catalog:whois", order=30))
        register_entity_tab(
            EntityTab(
                "definition",
                "Definition",
                "catalog/tabs/api_definition.html",
                order=15,
                applies_to=is_api,
                context=definition_context,
            )
        )
        register_entity_page()

        from .home_widgets import register_catalog_widgets

        register_catalog_widgets()
        register_entity_tab(
            EntityTab("relations", "Relations", "catalog/tabs/relations.html", order=20, context=tabs.relations_context)
        )
        register_entity_tab(
            EntityTab(
                "dependencies",
                "Dependencies",
                "catalog/tabs/dependencies.html",
                order=30,
                applies_to=tabs.has_dependencies,
                context=tabs.dependencies_context,
            )
        )
