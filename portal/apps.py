from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The portal shell: settings, home page, auth and management commands shared by every app."""

    name = "portal"
    verbose_name = "Greenroom portal"

    def ready(self) -> None:
        from portal.registry import NavItem, register_nav_item

        register_nav_item(NavItem("Home", "home", order=0))
