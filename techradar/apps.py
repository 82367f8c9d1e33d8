"""The Tech Radar: which technologies to adopt, trial, assess or hold, tied to the catalog."""

from django.apps import AppConfig


class TechradarConfig(AppConfig):
    """The Tech Radar: which technologies to adopt, trial, assess or hold, tied to the catalog."""

    name = "techradar"
    verbose_name = "Tech Radar"

    def ready(self) -> None:
        from portal.registry import (
            EntityCard,
            NavItem,
            register_entity_card,
            register_fact_collector,
            register_nav_item,
        )

        from . import signals, soundcheck_facts  # noqa: F401
        from .hold import hold_card_context, uses_hold_technology

        register_nav_item(NavItem("Tech Radar", "techradar:index", order=60))
        register_fact_collector("techradar", soundcheck_facts.collect)
        register_entity_card(
            EntityCard(
                key="tech-radar-hold",
                title="Technologies on hold",
                template="techradar/cards/hold_warning.html",
                order=5,
                applies_to=uses_hold_technology,
                context=hold_card_context,
            )
        )
