from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal shell: settings, home page, auth and management commands shared by every app."""

    name = "portal"
    verbose_name = "Greenroom portal"

    def ready(self) -> None:
        from catalog.audit import catalog_write
        from portal.audit import record_catalog_write
        from portal.home import quick_links_context
        from portal.registry import HomeWidget, NavItem, register_home_widget, register_nav_item

        catalog_write.connect(record_catalog_write, dispatch_uid="portal.audit")
        from catalog.signals import entities_changed
        from portal.search.indexing import on_entities_changed

        entities_changed.connect(on_entities_changed, dispatch_uid="portal.search")
        self._forget_tokens_on_change()
        from portal.ops import celery_signals, request_id

        from .api import schema  # noqa: F401 - registers the bearer-token scheme with drf-spectacular

        celery_signals.connect()
        request_id.connect()
        register_nav_item(NavItem("Home", "home", order=0))
        register_home_widget(
            HomeWidget("quick-links", "Quick links", "portal/widgets/quick_links.html", 40, quick_links_context)
        )

    @staticmethod
    def _forget_tokens_on_change() -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from portal.models import ApiToken
        from portal.tokens import forget_checked_tokens

        for model in (ApiToken, get_user_model()):
            post_save.connect(forget_checked_tokens, sender=model, dispatch_uid=f"portal.tokens.save.{model}")
            post_delete.connect(forget_checked_tokens, sender=model, dispatch_uid=f"portal.tokens.delete.{model}")
