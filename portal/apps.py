from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal shell: settings, home page, auth and management commands shared by every app."""

    name = "portal"
    verbose_name = "Greenroom portal"

    def ready(self) -> None:
        from portal.registry import NavItem, register_nav_item

        self._forget_tokens_on_change()
        from portal import plugins
        from portal.services import accounts

        accounts.connect()
        from portal.ops import celery_signals, request_id

        from .api import schema  # noqa: F401 - registers the bearer-token scheme with drf-spectacular

        celery_signals.connect()
        request_id.connect()
        plugins.log_failures()
        register_nav_item(NavItem("Home", "home", order=0))

    @staticmethod
    def _forget_tokens_on_change() -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from portal.models import ApiToken
        from portal.services.tokens import forget_checked_tokens

        for model in (ApiToken, get_user_model()):
            post_save.connect(forget_checked_tokens, sender=model, dispatch_uid=f"portal.tokens.save.{model}")
            post_delete.connect(forget_checked_tokens, sender=model, dispatch_uid=f"portal.tokens.delete.{model}")
