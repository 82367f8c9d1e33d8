"""Campaign pages: the list, one campaign's progress and laggards, and the form for platform admins."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from portal.permissions import is_platform_admin
from portal.views import ReadAccessMixin

from ..campaigns import Progress, burn_up_series, goal_label, laggard_teams, progress_of
from ..charts import burn_up
from ..forms import CampaignForm
from ..models import Campaign, Level, Source
from ..services.campaigns import save_campaign
from ..targets import describe_filter


def _campaigns():
    return Campaign.objects.select_related("track", "rule_check")


def _target_level(campaign: Campaign) -> Level | None:
    if not campaign.track_id:
        return None
    return Level.objects.filter(track_id=campaign.track_id, ordinal=campaign.target_level).first()


class CampaignListView(ReadAccessMixin, View):
    """Running, upcoming and finished campaigns, each with its progress now."""

    def get(self, request: HttpRequest) -> HttpResponse:
        campaigns = list(_campaigns().order_by("deadline", "key"))
        progress = progress_of(campaigns)
        today = timezone.localdate()
        groups: dict[str, list[tuple[Campaign, Progress, str]]] = {"running": [], "upcoming": [], "finished": []}
        for campaign in campaigns:
            state = (
                "upcoming" if campaign.starts_on > today else ("finished" if campaign.deadline < today else "running")
            )
            groups[state].append((campaign, progress[campaign.pk], goal_label(campaign)))
        context = {"groups": groups, "can_edit": is_platform_admin(request.user), "today": today}
        return render(request, "soundcheck/campaign_list.html", context)


class CampaignDetailView(ReadAccessMixin, View):
    """A campaign's goal, targets, progress, burn-up and laggards grouped by team."""

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        campaign = get_object_or_404(_campaigns(), key=key)
        level = _target_level(campaign)
        progress = progress_of([campaign])[campaign.pk]
        today = timezone.localdate()
        series = burn_up_series(campaign, today=today)
        goal = goal_label(campaign, level)
        teams, laggard_count = laggard_teams(campaign)
        context = {
            "campaign": campaign,
            "goal": goal,
            "level": level,
            "progress": progress,
            "filter": describe_filter(campaign.entity_filter),
            "days_left": (campaign.deadline - today).days,
            "burn_up_svg": burn_up(
                campaign.starts_on, campaign.deadline, series, progress.total, title=f"{campaign.name}: {goal}"
            ),
            "teams": teams,
            "laggard_count": laggard_count,
            "listed_count": sum(len(team.laggards) for team in teams),
            "can_edit": is_platform_admin(request.user) and campaign.source == Source.ADMIN,
        }
        return render(request, "soundcheck/campaign_detail.html", context)


class CampaignFormMixin(LoginRequiredMixin):
    """Platform admins only; campaigns defined in a repository are edited there, not here."""

    template_name = "soundcheck/campaign_form.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied("Only platform admins may create or edit campaigns.")
        return super().dispatch(request, *args, **kwargs)

    def respond(self, request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
        if request.method == "POST" and form.is_valid():
            saved = save_campaign(form.campaign(), changed=form.changed_data)
            messages.success(request, f"Campaign “{saved.name}” saved.")
            return redirect("soundcheck:campaign_detail", key=saved.key)
        return render(
            request, self.template_name, {"form": form, "campaign": campaign}, status=400 if form.errors else 200
        )


class CampaignCreateView(CampaignFormMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.respond(request, CampaignForm(), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self.respond(request, CampaignForm(request.POST), None)


class CampaignEditView(CampaignFormMixin, View):
    def _campaign(self, key: str) -> Campaign:
        campaign = get_object_or_404(Campaign, key=key)
        if campaign.source != Source.ADMIN:
            where = campaign.source_location or campaign.get_source_display()
            raise PermissionDenied(f"This campaign is defined in {where}; edit it there.")
        return campaign

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        campaign = self._campaign(key)
        return self.respond(request, CampaignForm(instance=campaign), campaign)

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        campaign = self._campaign(key)
        return self.respond(request, CampaignForm(request.POST, instance=campaign), campaign)
