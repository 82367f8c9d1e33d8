"""The org half of a ``catalog.providers.gitlab.<id>`` entry with ``orgEnabled: true``.

Shaped as Backstage's GitLab org provider shapes them: a Group for the configured group and each
descendant group, named by its full path without the configured group's prefix (``/`` → ``-``), with
``<host>/team-path`` and ``<host>/visibility`` annotations, the parent group as ``parent`` and the
subgroups as ``children``; a User per active direct member of those groups, named by username, with
``<host>/user-login`` (the profile URL), display name, avatar and email (when the token may see
it), ``memberOf`` listing their groups. Backstage leaves ``children`` empty for its relations
processor to fill from ``parent``; listing them here gives the same relations.
``groupPattern`` is searched in the full path, ``userPattern`` in the username.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .base import ProviderError, ProviderOutput, Schedule
from .entities import drop_empty, keep_valid, with_location
from .forge_auth import gitlab_api

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GitLabOrgProvider:
    provider_id: str
    schedule: Schedule | None
    host: str
    group: str
    user_pattern: re.Pattern[str] | None = None
    group_pattern: re.Pattern[str] | None = None

    @property
    def annotation_host(self) -> str:
        return self.host.split(":")[0]

    def read(self) -> ProviderOutput:
        api = gitlab_api(self.host)
        encoded = quote(self.group, safe="")
        root = api.get(f"/groups/{encoded}")
        if not isinstance(root, dict) or not isinstance(root.get("id"), int):
            raise ProviderError(f"{self.host} gave no group {self.group}")
        groups = [root, *api.paginate(f"/groups/{encoded}/descendant_groups", {"per_page": 100})]
        groups = [
            group
            for group in groups
            if isinstance(group, dict) and isinstance(group.get("full_path"), str) and isinstance(group.get("id"), int)
        ]
        if self.group_pattern is not None:
            groups = [group for group in groups if self.group_pattern.search(group["full_path"])]
        names = {group["id"]: self.group_name(group["full_path"]) for group in groups}
        children: dict[int, list[str]] = {}
        for group in groups:
            if group.get("parent_id") in names:
                children.setdefault(group["parent_id"], []).append(names[group["id"]])
        users: dict[str, dict[str, Any]] = {}
        entities = []
        for group in groups:
            entities.append(self._group_entity(group, names, children.get(group["id"], [])))
            for member in api.paginate(f"/groups/{group['id']}/members", {"per_page": 100}):
                if not self._admits(member):
                    continue
                user = users.get(member["username"])
                if user is None:
                    user = users[member["username"]] = self._user_entity(member)
                user["spec"]["memberOf"].append(names[group["id"]])
        note = (
            f"read {len(groups)} groups and {len(users)} members of {self.group} on {self.host} "
            f"in {api.requests_made} requests"
        )
        logger.info("%s: %s", self.provider_id, note)
        valid, skipped = keep_valid([*entities, *users.values()])
        return ProviderOutput(valid, [note, *skipped])

    def group_name(self, full_path: str) -> str:
        """Backstage's default: the full path without the configured group's prefix, ``/`` → ``-``."""
        if full_path.startswith(f"{self.group}/"):
            full_path = full_path[len(self.group) + 1 :]
        return full_path.replace("/", "-").lower()

    def _admits(self, member: Any) -> bool:
        if not isinstance(member, dict) or not isinstance(member.get("username"), str):
            return False
        if member.get("state", "active") != "active":
            return False
        return self.user_pattern is None or bool(self.user_pattern.search(member["username"]))

    def _group_entity(self, group: dict[str, Any], names: dict[int, str], children: list[str]) -> dict[str, Any]:
        annotations = {f"{self.annotation_host}/team-path": group["full_path"]}
        if group.get("visibility"):
            annotations[f"{self.annotation_host}/visibility"] = str(group["visibility"])
        metadata: dict[str, Any] = {"name": names[group["id"]], "annotations": annotations}
        if group.get("description"):
            metadata["description"] = str(group["description"])
        spec: dict[str, Any] = {
            "type": "team",
            "profile": drop_empty({"displayName": group.get("name")}),
            "children": children,
        }
        if group.get("parent_id") in names:
            spec["parent"] = names[group["parent_id"]]
        entity = {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": metadata, "spec": spec}
        return with_location(entity, str(group.get("web_url") or f"https://{self.host}/{group['full_path']}"))

    def _user_entity(self, member: dict[str, Any]) -> dict[str, Any]:
        annotations = {}
        if member.get("web_url"):
            annotations[f"{self.annotation_host}/user-login"] = str(member["web_url"])
        profile = drop_empty(
            {"displayName": member.get("name"), "email": member.get("email"), "picture": member.get("avatar_url")}
        )
        entity = {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "User",
            "metadata": {"name": member["username"], "annotations": annotations},
            "spec": {"profile": profile, "memberOf": []},
        }
        return with_location(entity, f"https://{self.host}/groups/{self.group}")
