"""Soundcheck pages, under ``/soundcheck/``."""

from django.urls import path

from . import views

app_name = "soundcheck"

urlpatterns = [
    path("soundcheck/", views.OverviewView.as_view(), name="index"),
    path("soundcheck/teams/<str:namespace>/<str:name>/", views.TeamView.as_view(), name="team"),
    path("soundcheck/systems/<str:namespace>/<str:name>/", views.SystemView.as_view(), name="system"),
    path("soundcheck/organisations/<str:namespace>/<str:name>/", views.OrganisationView.as_view(), name="organisation"),
    path("soundcheck/campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("soundcheck/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("soundcheck/campaigns/<slug:key>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("soundcheck/campaigns/<slug:key>/edit/", views.CampaignEditView.as_view(), name="campaign_edit"),
    path(
        "soundcheck/entities/<str:kind>/<str:namespace>/<str:name>/rerun/",
        views.RerunChecksView.as_view(),
        name="rerun_checks",
    ),
]
