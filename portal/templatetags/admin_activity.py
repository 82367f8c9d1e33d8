"""The admin index's "Recent activity": the portal's audit log, beside Django's own "Recent actions".

Django's list shows only what was edited in the admin by the person reading it; most writes in
Greenroom happen in the portal, the API and the workers, and are recorded in ``AuditEvent``.
Platform admins (who may read the audit log) see its latest entries here.
"""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import AuditEvent
from portal.permissions import is_platform_admin

register = template.Library()

RECENT_LIMIT = 10


@register.inclusion_tag("admin/portal/recent_activity.html", takes_context=True)
def recent_portal_activity(context: dict[str, Any]) -> dict[str, Any]:
    """The latest audit events for a platform admin; nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_platform_admin(user):
        return {"events": None}
    events = AuditEvent.objects.only("created_at", "actor", "action", "target")[:RECENT_LIMIT]
    return {"events": list(events)}
