"""Campaign reminder bookkeeping: claiming a campaign before its reminders are mailed.

Sending them is ``soundcheck.reminders``. A claim is background bookkeeping of the reminder job,
not an edit, so it is not in the audit log.
"""

from __future__ import annotations

from datetime import datetime

from ..models import Campaign


def claim_reminder(campaign: Campaign, now: datetime) -> bool:
    """Mark ``campaign`` reminded at ``now`` unless another worker did since it was read: the one
    conditional UPDATE that keeps two reminder runs from mailing a team twice in one period."""
    claimed = Campaign.objects.filter(pk=campaign.pk, last_reminded_at=campaign.last_reminded_at).update(
        last_reminded_at=now
    )
    return bool(claimed)
