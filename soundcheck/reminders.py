"""Campaign reminders: one mail per laggard team, at most once per reminder period per campaign.

Settings (``SOUNDCHECK_REMINDERS``): ``ENABLED`` (a switch for the whole portal), ``INTERVAL_DAYS``
(the period, 7 by default), ``FROM_EMAIL`` and ``BASE_URL`` (for the link in the mail). A campaign is
reminded only while it runs (from its start to its deadline) and when its own ``send_reminders`` is on.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .campaigns import goal_label, laggard_teams
from .models import Campaign, Level
from .services.reminders import claim_reminder

logger = logging.getLogger(__name__)

DEFAULTS = {"ENABLED": True, "INTERVAL_DAYS": 7, "FROM_EMAIL": None, "BASE_URL": ""}


def reminder_settings() -> dict:
    return {**DEFAULTS, **getattr(settings, "SOUNDCHECK_REMINDERS", {})}


@dataclass(frozen=True)
class ReminderReport:
    campaign: str
    sent: int
    skipped_without_email: int


def due_campaigns(now: datetime.datetime | None = None) -> list[Campaign]:
    """Running campaigns with reminders on, not reminded within the period."""
    now = now or timezone.now()
    period = datetime.timedelta(days=reminder_settings()["INTERVAL_DAYS"])
    today = timezone.localdate(now)
    qs = Campaign.objects.filter(send_reminders=True, starts_on__lte=today, deadline__gte=today)
    qs = qs.filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - period))
    return list(qs.select_related("track", "rule_check").order_by("deadline", "key"))


def send_campaign_reminders(now: datetime.datetime | None = None) -> list[ReminderReport]:
    """Mail every due campaign's laggard teams; each campaign is claimed first, so two workers running
    this at once never mail a team twice in one period."""
    config = reminder_settings()
    if not config["ENABLED"]:
        return []
    now = now or timezone.now()
    reports = []
    for campaign in due_campaigns(now):
        if claim_reminder(campaign, now):
            reports.append(remind_campaign(campaign, config))
    return reports


def remind_campaign(campaign: Campaign, config: dict) -> ReminderReport:
    """One mail to each laggard team that has an e-mail address (``spec.profile.email``)."""
    level = None
    if campaign.track_id:
        level = Level.objects.filter(track_id=campaign.track_id, ordinal=campaign.target_level).first()
    teams, _ = laggard_teams(campaign)
    url = config["BASE_URL"].rstrip("/") + reverse("soundcheck:campaign_detail", args=[campaign.key])
    sent = skipped = 0
    for team in teams:
        if not team.email:
            skipped += 1
            logger.info("campaign %s: team %s has no e-mail address; not reminded", campaign.key, team.owner_ref)
            continue
        context = {"campaign": campaign, "goal": goal_label(campaign, level), "team": team, "url": url}
        subject = f"[Soundcheck] {campaign.name}: {len(team.laggards)} to go by {campaign.deadline:%Y-%m-%d}"
        body = render_to_string("soundcheck/reminder_email.txt", context)
        send_mail(subject, body, config["FROM_EMAIL"], [team.email])
        sent += 1
    return ReminderReport(campaign.key, sent, skipped)
