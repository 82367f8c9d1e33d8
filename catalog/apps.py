from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The software catalog: locations, entities, relations and their history."""

    name = "catalog"
    verbose_name = "Software catalog"

    def ready(self) -> None:
        from portal.registry import NavItem, register_nav_item

        from .entity_extensions import register_entity_page

        register_nav_item(NavItem("Catalog", "catalog:entity_list", order=10))
        register_nav_item(NavItem("APIs", "catalog:entity_list", order=20, query="kind=API"))
        register_nav_item(NavItem("Who owns it?", "catalog:whois", order=30))
        register_entity_page()

        from .home_widgets import register_catalog_widgets

        register_catalog_widgets()
