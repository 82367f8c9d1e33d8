"""TechDocs: documentation as code, built with MkDocs and read beside its entity."""

from django.apps import AppConfig


class TechdocsConfig(AppConfig):
    """TechDocs: documentation as code, built with MkDocs and read beside its entity."""

    name = "techdocs"
    verbose_name = "TechDocs"

    def ready(self) -> None:
        from portal.registry import (
            EntityTab,
            NavItem,
            register_entity_tab,
            register_fact_collector,
            register_nav_item,
        )

        from . import signals, soundcheck_facts  # signals: connects the catalog refresh receiver
        from .search_indexing import index_built_site
        from .tabs import docs_tab_context, has_docs_tab

        signals.site_built.connect(index_built_site, dispatch_uid="techdocs.search")
        signals.site_built.connect(soundcheck_facts.on_site_built, dispatch_uid="techdocs.soundcheck-facts")
        register_fact_collector("techdocs", soundcheck_facts.collect)
        register_nav_item(NavItem("Docs", "techdocs:index", order=40))
        register_entity_tab(
            EntityTab("docs", "Docs", "techdocs/tab.html", order=12, applies_to=has_docs_tab, context=docs_tab_context)
        )
