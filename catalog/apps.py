from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The software catalog: locations, entities, relations and their history."""

    name = "catalog"
    verbose_name = "Software catalog"
