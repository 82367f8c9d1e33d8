"""The demo sign-in: on a portal with no accounts yet, one platform admin named ``demo``.

``scripts/portal`` prints its password once, so the first sign-in needs no extra command. A portal
that already has any account gets nothing: the demo account never appears beside real ones.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_USERNAME = "demo"


def create_demo_admin() -> str | None:
    """Create the ``demo`` superuser when no account exists; its password, or None if not created."""
    user_model = get_user_model()
    with transaction.atomic():
        if user_model.objects.exists():
            return None
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(DEMO_USERNAME, "", password)
    return password
