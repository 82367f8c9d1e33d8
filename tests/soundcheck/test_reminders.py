"""Campaign reminders: one mail per laggard team with an address, never twice in a period, none when off."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from soundcheck.models import Campaign
from soundcheck.ui_tasks import send_campaign_reminders_task
from tests.soundcheck.factories import make_campaign, make_check, make_track, track_result

pytestmark = pytest.mark.django_db

A, A1, B = "group:default/team-a", "group:default/team-a1", "group:default/team-b"


@pytest.fixture
def campaign(organisation):
    track = make_track("basics", levels=(("Bronze", [make_check()]), ("Silver", [make_check()])))
    track_result(track, "component:default/web", 2, A)
    track_result(track, "component:default/docs-site", 1, A)
    track_result(track, "component:default/cart", 0, B)
    track_result(track, "component:default/lib", 0, A1)  # team-a1 has no e-mail address
    return make_campaign("silver", track=track, target_level=2, send_reminders=True)


def test_each_laggard_team_gets_one_mail(campaign, mailoutbox, settings):
    settings.SOUNDCHECK_REMINDERS = {"BASE_URL": "https://portal.example.com", "FROM_EMAIL": "soundcheck@example.com"}
    reports = send_campaign_reminders_task()
    assert reports == [{"campaign": "silver", "sent": 2, "skipped_without_email": 1}]
    assert sorted(mail.to[0] for mail in mailoutbox) == ["team-a@example.com", "team-b@example.com"]
    mail = next(mail for mail in mailoutbox if mail.to == ["team-a@example.com"])
    assert mail.subject.startswith("[Soundcheck] Silver: 1 to go by ")
    assert mail.from_email == "soundcheck@example.com"
    assert "- docs-site (component:default/docs-site): L1" in mail.body
    assert "component:default/web" not in mail.body
    assert "https://portal.example.com/soundcheck/campaigns/silver/" in mail.body
    campaign.refresh_from_db()
    assert campaign.last_reminded_at is not None


def test_never_twice_in_a_period(campaign, mailoutbox):
    send_campaign_reminders_task()
    send_campaign_reminders_task()
    assert len(mailoutbox) == 2
    later = timezone.now() + datetime.timedelta(days=6)
    from soundcheck.reminders import send_campaign_reminders

    assert send_campaign_reminders(later) == []
    assert len(send_campaign_reminders(timezone.now() + datetime.timedelta(days=7, minutes=1))) == 1
    assert len(mailoutbox) == 4


def test_period_comes_from_settings(campaign, mailoutbox, settings):
    from soundcheck.reminders import send_campaign_reminders

    settings.SOUNDCHECK_REMINDERS = {"INTERVAL_DAYS": 1}
    send_campaign_reminders()
    assert len(send_campaign_reminders(timezone.now() + datetime.timedelta(days=1, minutes=1))) == 1


def test_no_mail_when_the_campaign_has_reminders_off(campaign, mailoutbox):
    Campaign.objects.filter(pk=campaign.pk).update(send_reminders=False)
    assert send_campaign_reminders_task() == []
    assert mailoutbox == []


def test_no_mail_when_reminders_are_switched_off(campaign, mailoutbox, settings):
    settings.SOUNDCHECK_REMINDERS = {"ENABLED": False}
    assert send_campaign_reminders_task() == []
    assert mailoutbox == []
    campaign.refresh_from_db()
    assert campaign.last_reminded_at is None


def test_no_mail_after_the_deadline_or_before_the_start(campaign, mailoutbox):
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(deadline=today - datetime.timedelta(days=1))
    send_campaign_reminders_task()
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=today + datetime.timedelta(days=1), deadline=today + datetime.timedelta(days=9)
    )
    send_campaign_reminders_task()
    assert mailoutbox == []


def test_no_mail_when_every_target_is_done(campaign, mailoutbox):
    Campaign.objects.filter(pk=campaign.pk).update(target_level=0)
    assert send_campaign_reminders_task() == [{"campaign": "silver", "sent": 0, "skipped_without_email": 0}]
    assert mailoutbox == []


def test_beat_schedule_runs_the_registered_task(settings):
    from portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["soundcheck-send-campaign-reminders"]
    assert entry["task"] == "soundcheck.send_campaign_reminders" and entry["task"] in app.tasks
