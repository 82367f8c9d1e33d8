"""The scaffolder: Backstage software templates turned into forms and run as background jobs."""

from django.apps import AppConfig


class ScaffolderConfig(AppConfig):
    """The scaffolder: Backstage software templates turned into forms and run as background jobs."""

    name = "scaffolder"
    verbose_name = "Software templates"

    def ready(self) -> None:
        from portal.registry import NavItem, register_nav_item

        from .actions import builtin  # noqa: F401  (registers the built-in step actions)
        from .actions.builtin.demo_publisher import admit_demo_repositories

        admit_demo_repositories()

        register_nav_item(NavItem("Create", "scaffolder:template_list", order=50))
