"""The docs pages: the Docs index, a site's pages inside the portal shell, its images, and rebuilds."""

from __future__ import annotations

import mimetypes
import posixpath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from catalog.permissions import can_refresh_entity
from catalog.querysets import owner_refs
from portal.views import ReadAccessMixin

from . import storage
from .config import techdocs_settings
from .models import DocSite
from .pages import docs_view, load_documented_entity, normalise_path
from .render import IMAGE_TYPES
from .services import documented_entities, request_build
from .sources import has_techdocs

PAGE_SIZE = 25
ASSET_POLICY = "default-src 'none'; img-src 'self'; style-src 'self'; sandbox"


class DocsIndexView(ReadAccessMixin, View):
    """Every documented entity with its owner and last build; filtered by ``?q=`` and paged."""

    template_name = "techdocs/index.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:200]
        entities = documented_entities().order_by("name", "ref")
        if query:
            entities = entities.matching_text(query)
        paginator = Paginator(entities.for_output().select_related("stitched"), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        rows = list(page.object_list)
        sites = {
            site.entity_ref: site
            for site in DocSite.objects.filter(entity_ref__in=[entity.ref for entity in rows]).select_related(
                "current_build", "latest_build"
            )
        }
        items = [{"entity": entity, "owners": owner_refs(entity), "site": sites.get(entity.ref)} for entity in rows]
        return render(request, self.template_name, {"items": items, "page": page, "query": query})


class EntityDocsView(ReadAccessMixin, View):
    """One page of an entity's site, inside the portal shell with the site's navigation and contents."""

    template_name = "techdocs/page.html"

    def get(self, request: HttpRequest, namespace: str, kind: str, name: str, page: str = "") -> HttpResponse:
        entity = load_documented_entity(namespace, kind, name)
        if not has_techdocs(entity):
            raise Http404(f"{entity.ref} has no TechDocs")
        view = docs_view(request, entity, page)
        return render(request, self.template_name, {"docs": view, "entity": entity})


class DocsAssetView(ReadAccessMixin, View):
    """A site's images (and other non-HTML files), on their own path with a strict CSP; never HTML."""

    def get(self, request: HttpRequest, namespace: str, kind: str, name: str, path: str) -> HttpResponse:
        entity = load_documented_entity(namespace, kind, name)
        site = DocSite.objects.filter(entity_ref=entity.ref).select_related("current_build").first()
        normal = normalise_path(path)
        if site is None or site.current_build is None or not normal:
            raise Http404("No such file")
        extension = posixpath.splitext(normal)[1].lstrip(".").lower()
        if extension not in IMAGE_TYPES:
            raise Http404("Only images are served from docs sites")
        data = storage.read_file(site.current_build.storage_prefix, normal)
        if data is None:
            raise Http404("No such file")
        content_type = mimetypes.guess_type(normal)[0] or "application/octet-stream"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Security-Policy"] = ASSET_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["Cache-Control"] = "private, max-age=300"
        return response


class RebuildView(ReadAccessMixin, View):
    """An owner's or platform admin's request to rebuild the docs now."""

    def post(self, request: HttpRequest, namespace: str, kind: str, name: str) -> HttpResponse:
        entity = load_documented_entity(namespace, kind, name)
        if not has_techdocs(entity):
            raise Http404(f"{entity.ref} has no TechDocs")
        if not can_refresh_entity(request.user, entity):
            raise PermissionDenied("Only the entity's owners and platform admins may rebuild its docs")
        if techdocs_settings()["BUILDER"] != "local":
            messages.error(request, "These docs are built by CI and uploaded; rebuild them there.")
        else:
            request_build(entity, reason="requested", user=request.user)
            messages.success(request, "Rebuild queued. The current docs stay online until it succeeds.")
        return redirect("techdocs:entity_docs", namespace=namespace, kind=kind, name=name)
