"""What the docs pages and the Docs tab show: a site's page with its navigation, status and rights."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from catalog.models import Entity
from catalog.permissions import can_refresh_entity

from . import storage
from .documents import page_url
from .models import DocBuild, DocSite
from .render import RenderedPage, SiteAddress, render_page
from .sources import has_techdocs


@dataclass
class DocsView:
    """Everything a docs page or the Docs tab renders."""

    entity: Entity
    site: DocSite | None
    page: RenderedPage | None = None
    nav: list[dict[str, Any]] = field(default_factory=list)
    latest: DocBuild | None = None
    current: DocBuild | None = None
    can_rebuild: bool = False

    @property
    def failed(self) -> bool:
        return self.latest is not None and self.latest.status == DocBuild.Status.FAILED


def load_documented_entity(namespace: str, kind: str, name: str) -> Entity:
    return Entity.objects.select_related("location").get_by_name_or_404(kind, namespace, name)


def page_file(path: str) -> str:
    """The site file for a URL path: ``""`` → ``index.html``, ``a/`` → ``a/index.html``."""
    path = path.lstrip("/")
    if not path or path.endswith("/"):
        return f"{path}index.html"
    if posixpath.splitext(path)[1] in (".html", ".htm"):
        return path
    return f"{path}/index.html"


def normalise_path(path: str) -> str | None:
    """A site-relative path without ``..`` or empty tricks; None when it leaves the site."""
    normal = posixpath.normpath("/" + path).lstrip("/")
    if "\x00" in path or ".." in path.split("/"):
        return None
    return normal + ("/" if path.endswith("/") and normal else "")


def nav_links(nav: list[dict[str, Any]], view_base: SiteAddress, current_path: str) -> list[dict[str, Any]]:
    """The build's navigation as portal links, marking the page being read."""
    links = []
    for item in nav:
        path = str(item.get("path") or "")
        external = bool(item.get("external"))
        url = path if external and path.startswith(("http://", "https://")) else ""
        if path and not external:
            url = page_url(view_base.namespace, view_base.kind, view_base.name, path)
        links.append(
            {
                "title": str(item.get("title") or path or "Untitled"),
                "url": url,
                "is_current": bool(path) and not external and page_file(path) == current_path,
                "children": nav_links(item.get("children") or [], view_base, current_path),
            }
        )
    return links


def docs_view(request: Any, entity: Entity, path: str = "") -> DocsView:
    """Load the entity's site state and, if online, render the page at ``path``."""
    site = DocSite.objects.filter(entity_ref=entity.ref).select_related("current_build", "latest_build").first()
    view = DocsView(entity=entity, site=site)
    view.can_rebuild = has_techdocs(entity) and can_refresh_entity(request.user, entity)
    if site is None:
        return view
    view.latest, view.current = site.latest_build, site.current_build
    if view.current is None:
        return view
    normal = normalise_path(path)
    if normal is None:
        raise Http404("No such page")
    file_path = page_file(normal)
    built = storage.read_file(view.current.storage_prefix, file_path)
    if built is None:
        raise Http404(f"No page {path!r} in these docs")
    address = SiteAddress(site.namespace, site.kind, site.name, posixpath.dirname(file_path) + "/")
    if address.page_dir == "/":
        address = SiteAddress(site.namespace, site.kind, site.name, "")
    view.page = render_page(built, address)
    view.nav = nav_links(view.current.nav or _nav_from_index(view.current), address, file_path)
    return view


def _nav_from_index(build: DocBuild) -> list[dict[str, Any]]:
    """Without a recorded navigation (an uploaded site), list the pages of its search index in order."""
    import json

    raw = storage.read_file(build.storage_prefix, "search/search_index.json")
    try:
        entries = json.loads(raw or b"{}").get("docs") or []
    except (ValueError, AttributeError):
        return []
    nav, seen = [], set()
    for entry in entries:
        location = str(entry.get("location") or "") if isinstance(entry, dict) else ""
        if "#" in location or location in seen:
            continue
        seen.add(location)
        nav.append({"title": str(entry.get("title") or location or "Home"), "path": location, "children": []})
    return nav
