from django.apps import AppConfig


class TechdocsConfig(AppConfig):
    """TechDocs: documentation as code, built with MkDocs and read beside its entity."""

    name = "techdocs"
    verbose_name = "TechDocs"

    def ready(self) -> None:
        pass
