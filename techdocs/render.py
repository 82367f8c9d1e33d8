"""Built pages made safe to show inside the portal: content extracted, sanitised, links rewritten.

The built HTML is hostile. Only the page's article is kept, passed through nh3 (an allow-list
HTML sanitiser: no scripts, no event handlers, no ``style``, no ``javascript:`` URLs), and every
link and image is rewritten: pages of the site to the portal's docs URL, images and other files to
the isolated asset path (served with a strict Content-Security-Policy), and anything that would
leave the site's root is dropped. Heading ids are kept so the table of contents and ``#anchor``
links work.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import nh3

from portal.links import reverse_or_empty

_ARTICLE = re.compile(r"<article\b[^>]*\bmd-content__inner\b[^>]*>(?P<body>.*)</article>", re.DOTALL | re.IGNORECASE)
_MAIN = re.compile(r"<div\b[^>]*\brole=\"main\"[^>]*>(?P<body>.*)</div>", re.DOTALL | re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>(?P<body>.*)</body>", re.DOTALL | re.IGNORECASE)
_EDIT_BUTTON = re.compile(r"<a\b[^>]*\bmd-content__button\b[^>]*>.*?</a>", re.DOTALL | re.IGNORECASE)
_HEADING = re.compile(r"<h(?P<level>[1-6])\b[^>]*\bid=\"(?P<id>[^\"]+)\"[^>]*>(?P<text>.*?)</h(?P=level)>", re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title>(?P<title>.*?)</title>", re.DOTALL | re.IGNORECASE)

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "label"}
_ID_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "a", "span", "div", "dt", "section"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "title", "class", "id", "name"},
    "img": {"src", "alt", "width", "height", "title", "class"},
    "td": {"align", "colspan", "rowspan", "class"},
    "th": {"align", "colspan", "rowspan", "scope", "class"},
    "ol": {"start", "class"},
    "details": {"open", "class"},
    "input": {"type", "checked", "disabled"},
    "code": {"class"},
}
for _tag in _ID_TAGS:
    ALLOWED_ATTRIBUTES.setdefault(_tag, {"class"}).add("id")

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "avif", "bmp"})


@dataclass(frozen=True)
class SiteAddress:
    """Where one site's pages and assets are served, and which page is being rendered."""

    namespace: str
    kind: str
    name: str
    page_dir: str  # the directory of the page's file, relative to the site root ("" or "sub-page/")

    def page_url(self, path: str) -> str:
        base = reverse_or_empty("techdocs:entity_docs", self.namespace, self.kind, self.name)
        return base + path.removesuffix("index.html")

    def asset_url(self, path: str) -> str:
        return reverse_or_empty("techdocs:asset", self.namespace, self.kind, self.name, path)


@dataclass
class RenderedPage:
    title: str
    html: str
    toc: list[dict[str, str]]


def resolve_site_path(page_dir: str, target: str) -> str | None:
    """A relative URL path resolved against the page's directory; None when it leaves the site."""
    joined = posixpath.normpath(posixpath.join(page_dir or ".", unquote(target)))
    if joined in (".", ""):
        return ""
    if joined.startswith(("../", "/")) or joined == ".." or "\x00" in joined:
        return None
    return joined + ("/" if target.endswith("/") and not joined.endswith("/") else "")


def _rewrite(address: SiteAddress, element: str, attribute: str, value: str) -> str | None:
    if attribute == "type" and element == "input":
        return value if value == "checkbox" else None
    if attribute not in ("href", "src"):
        return value
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if element == "img":
            return None  # only the site's own images: no tracking pixels from a doc page
        return value if parts.scheme in ("http", "https", "mailto") else None
    if not parts.path:
        return f"#{parts.fragment}" if parts.fragment else None
    if parts.path.startswith("/"):
        return None  # absolute paths would point into the portal itself
    resolved = resolve_site_path(address.page_dir, parts.path)
    if resolved is None:
        return None
    extension = posixpath.splitext(resolved.rstrip("/"))[1].lstrip(".").lower()
    if element == "img":
        return address.asset_url(resolved) if extension in IMAGE_TYPES else None
    is_page = resolved == "" or resolved.endswith("/") or extension in ("", "html", "htm")
    url = address.page_url(resolved) if is_page else address.asset_url(resolved)
    return url + (f"#{parts.fragment}" if parts.fragment else "")


def sanitise(fragment: str, address: SiteAddress) -> str:
    """nh3 with the docs allow-list and the link rewriting above."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=lambda element, attribute, value: _rewrite(address, element, attribute, value),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def table_of_contents(clean_html: str) -> list[dict[str, str]]:
    """The page's h2 and h3 headings with their ids, for the table of contents."""
    toc = []
    for match in _HEADING.finditer(clean_html):
        level = int(match["level"])
        if level not in (2, 3):
            continue
        text = html.unescape(_TAGS.sub("", match["text"])).replace("¶", "").strip()
        toc.append({"id": html.unescape(match["id"]), "title": text, "level": str(level)})
    return toc


def render_page(built_html: bytes, address: SiteAddress) -> RenderedPage:
    """Extract, sanitise and rewrite one built page."""
    text = built_html.decode("utf-8", "replace")
    match = _ARTICLE.search(text) or _MAIN.search(text) or _BODY.search(text)
    body = match["body"] if match else text
    body = _EDIT_BUTTON.sub("", body)
    clean = sanitise(body, address)
    title_match = _TITLE.search(text)
    title = html.unescape(_TAGS.sub("", title_match["title"])).rsplit(" - ", 1)[0].strip() if title_match else ""
    return RenderedPage(title=title, html=clean, toc=table_of_contents(clean))
