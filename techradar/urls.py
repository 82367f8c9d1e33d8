"""The Tech Radar pages."""

from django.urls import path

from . import views

app_name = "techradar"

urlpatterns = [
    path("tech-radar/", views.RadarIndexView.as_view(), name="index"),
    path("tech-radar/<slug:slug>/", views.RadarDetailView.as_view(), name="radar_detail"),
    path("tech-radar/<slug:slug>/table/", views.RadarTableView.as_view(), name="radar_table"),
    path("tech-radar/<slug:slug>/moved/", views.WhatMovedView.as_view(), name="what_moved"),
    path("tech-radar/<slug:slug>/add/", views.EntryCreateView.as_view(), name="entry_create"),
    path("tech-radar/<slug:slug>/entries/<str:key>/", views.EntryDetailView.as_view(), name="entry_detail"),
    path("tech-radar/<slug:slug>/entries/<str:key>/edit/", views.EntryEditView.as_view(), name="entry_edit"),
    path("tech-radar/<slug:slug>/entries/<str:key>/move/", views.EntryMoveView.as_view(), name="entry_move"),
]
