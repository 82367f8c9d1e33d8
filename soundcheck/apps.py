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
        # Views side: nav item, entity tab, campaign admin, the Track signal for the tab's cache, tasks.
        self._register_views()

    @staticmethod
    def _register_views() -> None:
        from portal.registry import EntityTab, NavItem, register_entity_tab, register_nav_item

        from . import campaign_admin, ui_signals, ui_tasks  # noqa: F401  (ui_tasks: Celery finds its tasks)
        from .tab import soundcheck_tab_context
        from .targets import has_soundcheck

        ui_signals.connect()
        campaign_admin.register()
        register_nav_item(NavItem("Soundcheck", "soundcheck:index", order=55))
        register_entity_tab(
            EntityTab(
                "soundcheck",
                "Soundcheck",
                "soundcheck/tab.html",
                order=35,
                applies_to=has_soundcheck,
                context=soundcheck_tab_context,
            )
        )
