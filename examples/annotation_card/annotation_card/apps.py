from django.apps import AppConfig


class AnnotationCardConfig(AppConfig):
    """Registers the runbook card when Django starts, as every Greenroom extension does."""

    name = "annotation_card"
    verbose_name = "Runbook card (example plugin)"

    def ready(self) -> None:
        from portal.registry import EntityCard, register_entity_card

        from .cards import has_runbook, runbook_context

        register_entity_card(
            EntityCard(
                key="runbook",
                title="Runbook",
                template="annotation_card/runbook.html",
                # After About (10) and the owner (20): on-call reads the runbook next.
                order=25,
                applies_to=has_runbook,
                context=runbook_context,
            )
        )
