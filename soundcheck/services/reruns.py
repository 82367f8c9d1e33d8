"""Re-running an entity's checks on request (the entity page's button): queued, and audited when queued."""

from __future__ import annotations

from portal.jobs import send_job_now
from portal.services.audit import record_event

RERUN_TASK = "soundcheck.rerun_checks"


def request_rerun(entity_ref: str) -> bool:
    """Queue an evaluation of every check of the entity (permission checked by the caller) and record
    one ``soundcheck.rerun`` event; False, and no event, when the job queue is unreachable."""
    # By name, so this module needs no import of the tasks module that calls back into services.
    if not send_job_now(RERUN_TASK, entity_ref):
        return False
    record_event("soundcheck.rerun", entity_ref)
    return True
