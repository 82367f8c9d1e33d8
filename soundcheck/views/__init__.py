"""Soundcheck's pages: the overview, team, system and organisation views, campaigns, the re-run action."""

from .actions import RerunChecksView
from .campaigns import CampaignCreateView, CampaignDetailView, CampaignEditView, CampaignListView
from .pages import OrganisationView, OverviewView, SystemView, TeamView

__all__ = [
    "CampaignCreateView",
    "CampaignDetailView",
    "CampaignEditView",
    "CampaignListView",
    "OrganisationView",
    "OverviewView",
    "RerunChecksView",
    "SystemView",
    "TeamView",
]
