"""Writing campaigns by hand (the campaign pages and the admin): one audit event per campaign written.

Campaigns defined in a repository or shipped with Greenroom are written by ``definitions``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.services.audit import record_event

from ..models import Campaign, Source


def save_campaign(campaign: Campaign, *, changed: Iterable[str] = ()) -> Campaign:
    """Store a campaign filled in by a platform admin (validated by ``CampaignForm``); a new one is
    the admin's (``Source.ADMIN``). ``changed`` names the fields edited, for the audit log."""
    is_new = campaign._state.adding
    if is_new:
        campaign.source = Source.ADMIN
    with transaction.atomic():
        campaign.save()
        record_event(
            "soundcheck.campaign.create" if is_new else "soundcheck.campaign.update",
            f"campaign:{campaign.key}",
            {"changed": sorted(changed)},
        )
    return campaign


def delete_campaigns(campaigns: Iterable[Campaign]) -> int:
    """Delete campaigns (their progress is computed, nothing else goes), one audit event each."""
    count = 0
    with transaction.atomic():
        for campaign in campaigns:
            key = campaign.key
            campaign.delete()
            record_event("soundcheck.campaign.delete", f"campaign:{key}")
            count += 1
    return count
