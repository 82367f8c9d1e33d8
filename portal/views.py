"""The portal shell's own pages."""

from django.db.models import Count
from django.views.generic import TemplateView

from catalog.models import Entity, Location


class HomeView(TemplateView):
    """Landing page: what the catalog holds and which locations need attention."""

    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind_counts"] = Entity.objects.values("kind").annotate(count=Count("id")).order_by("kind")
        context["failing_locations"] = Location.objects.filter(status=Location.Status.ERROR)
        context["location_count"] = Location.objects.count()
        return context
