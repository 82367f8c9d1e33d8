from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The software catalog: locations, entities, relations and their history."""

    name = "catalog"
    verbose_name = "Software catalog"

    def ready(self) -> None:
        from portal.registry import EntityTab, NavItem, register_entity_tab, register_nav_item

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
