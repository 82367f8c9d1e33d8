"""Walk a template form like a browser without JavaScript: keep the hidden state between steps."""

from __future__ import annotations

import html
import re
from typing import Any


class FormWalk:
    def __init__(self, client, url: str) -> None:
        self.client, self.url = client, url
        self.response = client.get(url)
        assert self.response.status_code == 200, self.response.content[:2000]

    @property
    def page(self) -> str:
        return self.response.content.decode()

    def hidden(self, name: str) -> str:
        match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', self.page)
        assert match, f"no hidden {name}"
        return html.unescape(match.group(1))

    def post(self, action: str | None = "next", **fields: Any) -> FormWalk:
        data: dict[str, Any] = {"state": self.hidden("state"), "step": self.hidden("step"), **fields}
        if action:
            data["action"] = action
        self.response = self.client.post(self.url, data)
        return self

    def field_error(self, name: str) -> str:
        field_id = "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)
        match = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', self.page, re.S)
        return html.unescape(match.group(1)) if match else ""

    def errors(self) -> list[str]:
        return [html.unescape(text) for text in re.findall(r'<p class="field-error" id="[^"]+">(.*?)</p>', self.page)]

    def step_title(self) -> str:
        # Titles come from the template: shown isolated in <bdi> (portal.display_text).
        match = re.search(r'<h2 id="step-title">(?:<bdi>)?(.*?)(?:</bdi>)?( <span|</h2>)', self.page)
        return html.unescape(match.group(1)) if match else ""
