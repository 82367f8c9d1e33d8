"""Keeps the entity page's cached track filters current: any track write bumps their version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from .models import Track
from .targets import bump_tracks_version


def track_changed(sender: Any, **kwargs: Any) -> None:
    bump_tracks_version()


def connect() -> None:
    post_save.connect(track_changed, sender=Track, dispatch_uid="soundcheck.ui.track_saved")
    post_delete.connect(track_changed, sender=Track, dispatch_uid="soundcheck.ui.track_deleted")
