from django.apps import AppConfig


class ScaffolderConfig(AppConfig):
    """The scaffolder: Backstage software templates turned into forms and run as background jobs."""

    name = "scaffolder"
    verbose_name = "Software templates"

    def ready(self) -> None:
        pass
