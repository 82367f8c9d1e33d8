"""TechDocs pages in the portal's search: each successful build replaces the entity's docs pages."""

from __future__ import annotations

import logging
from typing import Any

from portal.search.indexing import DocumentError, replace_documents

logger = logging.getLogger(__name__)


def index_built_site(sender: Any, entity_ref: str, documents: list[dict], **kwargs: Any) -> None:
    """Receiver of ``techdocs.signals.site_built``: the site is online, so its pages become findable.

    A page the index refuses is logged with its reason; the docs stay online either way.
    """
    try:
        stored = replace_documents("techdocs", entity_ref, documents)
    except DocumentError as error:
        logger.warning("docs of %s not indexed for search: %s", entity_ref, error)
        return
    logger.info("indexed %d docs page section(s) of %s for search", stored, entity_ref)
