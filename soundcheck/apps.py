"""Soundcheck: tracks, levels and checks that measure every entity, and campaigns that raise the bar."""

from django.apps import AppConfig


class SoundcheckConfig(AppConfig):
    """Soundcheck: tracks, levels and checks that measure every entity, and campaigns that raise the bar."""

    name = "soundcheck"
    verbose_name = "Soundcheck"

    def ready(self) -> None:
        # Evaluation side: signal receivers (catalog refreshes, docs builds) and collectors.
        from . import signals  # noqa: F401
        from .collectors import register_builtin_collectors

        register_builtin_collectors()
        # Views side: nav item, entity tab, home widget registrations.
