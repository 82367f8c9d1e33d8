from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal shell: settings, home page, auth and management commands shared by every app."""

    name = "portal"
    verbose_name = "Greenroom portal"
