"""Who runs a queued build, and what happens to builds whose worker died.

A build is claimed with one conditional UPDATE (queued → running), so a message delivered twice
(Celery's late acknowledgement redelivers after a worker is lost) never builds twice. A build left
"running" by a killed worker is failed by the periodic reaper once it is older than the build
timeout: the sandbox would have stopped it by then, so nobody is still working on it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from ..config import techdocs_settings
from ..models import DocBuild, DocSite

logger = logging.getLogger(__name__)

# Time past the build timeout before a running build counts as abandoned (fetch and publish included).
REAPER_GRACE_SECONDS = 120
ABANDONED_ERROR = "the worker running this build stopped before it finished; request the build again"


def claim_build(build_id: int) -> bool:
    """Mark a queued build running; False when another worker has it or it is finished."""
    claimed = DocBuild.objects.filter(pk=build_id, status=DocBuild.Status.QUEUED).update(
        status=DocBuild.Status.RUNNING, started_at=timezone.now()
    )
    return claimed == 1


def fail_stale_builds() -> list[int]:
    """Fail running builds that started longer ago than the build timeout allows; returns their ids."""
    limit = timezone.now() - timedelta(seconds=techdocs_settings()["BUILD_TIMEOUT"] + REAPER_GRACE_SECONDS)
    stale = DocBuild.objects.filter(status=DocBuild.Status.RUNNING, started_at__lt=limit)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return []
    # The status condition is repeated so a build that finished meanwhile keeps its outcome.
    DocBuild.objects.filter(pk__in=ids, status=DocBuild.Status.RUNNING).update(
        status=DocBuild.Status.FAILED, error=ABANDONED_ERROR, finished_at=timezone.now()
    )
    sites = DocSite.objects.filter(latest_build_id__in=ids).values_list("entity_ref", flat=True)
    for ref in sites:
        logger.warning("docs build for %s abandoned by its worker; marked failed", ref)
    return ids
