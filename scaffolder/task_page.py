"""Per-step status rows for the task page, from the template's steps and the task's events."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

from catalog.entity_urls import entity_ref_url
from catalog.formats.safe_urls import safe_link_url

from .models import Task, TaskEvent

STATUS_LABELS = {
    "open": "Waiting",
    "processing": "Running",
    "completed": "Done",
    "failed": "Failed",
    "skipped": "Skipped",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class StepRow:
    id: str
    name: str
    action: str
    status: str

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.title())


def step_rows(task: Task, events: list[TaskEvent]) -> list[StepRow]:
    """Each step's latest status; steps a finished run never reached read as skipped."""
    latest: dict[str, str] = {}
    for event in events:
        if event.step_id and event.status:
            latest[event.step_id] = event.status
    rows = []
    for step in task.steps:
        status = latest.get(step["id"], "open")
        if task.is_finished and status in ("open", "processing"):
            status = (
                "cancelled"
                if task.status == Task.Status.CANCELLED
                else ("failed" if status == "processing" else "skipped")
            )
        rows.append(StepRow(step["id"], step["name"], str(step.get("action", "")), status))
    return rows


@dataclass(frozen=True)
class OutputLink:
    title: str
    href: str  # empty when the URL is not a safe http(s) link: the title and the URL are shown as text
    url: str = ""


def output_links(task: Task) -> list[OutputLink]:
    """``output.links`` as safe links: http(s) URLs, or catalog pages for ``entityRef``."""
    links = []
    for item in (task.output or {}).get("links") or []:
        if not isinstance(item, dict):
            continue
        href, title = "", str(item.get("title") or item.get("url") or item.get("entityRef") or "Link")
        if item.get("url"):
            href = safe_link_url(item["url"])
        elif item.get("entityRef"):
            href = entity_ref_url(str(item["entityRef"]).lower())
        links.append(OutputLink(title, href, str(item.get("url") or "")))
    return links


_ALLOWED_TAGS = {"p", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "br", "hr"}


def render_markdown(text: str) -> SafeString:
    """``output.text`` content is Markdown written by a template: rendered, then sanitised with nh3."""
    html = markdown.markdown(text, extensions=["fenced_code"], output_format="html")
    return mark_safe(nh3.clean(html, tags=_ALLOWED_TAGS, url_schemes={"http", "https"}, link_rel="noopener noreferrer"))


def output_texts(task: Task) -> list[dict[str, Any]]:
    """``output.text`` items as ``{title, html}``, the Markdown rendered and sanitised."""
    return [
        {"title": str(item.get("title") or ""), "html": render_markdown(str(item.get("content") or ""))}
        for item in (task.output or {}).get("text") or []
        if isinstance(item, dict)
    ]


def dry_run_files(task: Task) -> list[dict[str, Any]]:
    """A dry run's files with their text (binary files say so)."""
    files = []
    for item in task.files or []:
        data = base64.b64decode(item.get("base64Content") or "")
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            content = f"(binary file, {len(data)} bytes)"
        files.append({"path": item.get("path", ""), "content": content, "executable": item.get("executable", False)})
    return files


def dry_run_tree(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files as a tree, in order: a row per directory (``is_dir``) before its files, with ``depth``."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in sorted(files, key=lambda item: item["path"].split("/")):
        parts = item["path"].split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory not in seen:
                seen.add(directory)
                rows.append({"path": directory, "name": parts[depth - 1], "depth": depth - 1, "is_dir": True})
        rows.append({**item, "name": parts[-1], "depth": len(parts) - 1, "is_dir": False})
    return rows


def step_outputs(events: list[TaskEvent]) -> list[dict[str, Any]]:
    """A dry run's log lines grouped by step, in the order the steps ran."""
    groups: dict[str, list[str]] = {}
    for event in events:
        message = event.body.get("message")
        if event.step_id and message:
            groups.setdefault(event.step_id, []).append(str(message))
    return [{"step_id": step_id, "lines": lines} for step_id, lines in groups.items()]
