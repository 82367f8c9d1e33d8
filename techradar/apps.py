from django.apps import AppConfig


class TechradarConfig(AppConfig):
    """The Tech Radar: which technologies to adopt, trial, assess or hold, tied to the catalog."""

    name = "techradar"
    verbose_name = "Tech Radar"

    def ready(self) -> None:
        pass
