"""Push payloads and signed headers as GitHub, GitLab and Gitea send them, for the webhook tests."""

from __future__ import annotations

import hashlib
import hmac

SECRET = "s3cret-shared-with-the-forge"
SHA = "9f2c1d4e5b6a7980a1b2c3d4e5f60718293a4b5c"


def github_push(ref: str = "refs/heads/main", repo: str = "acme/shop", host: str = "github.com") -> dict:
    return {
        "ref": ref,
        "before": "0" * 40,
        "after": SHA,
        "created": False,
        "deleted": False,
        "forced": False,
        "repository": {
            "id": 1296269,
            "name": repo.split("/")[1],
            "full_name": repo,
            "private": True,
            "html_url": f"https://{host}/{repo}",
            "url": f"https://{host}/{repo}",
            "git_url": f"git://{host}/{repo}.git",
            "ssh_url": f"git@{host}:{repo}.git",
            "clone_url": f"https://{host}/{repo}.git",
            "default_branch": "main",
        },
        "pusher": {"name": "alice", "email": "alice@example.com"},
        "head_commit": {"id": SHA, "message": "Rename the shop component"},
        "commits": [{"id": SHA, "message": "Rename the shop component", "modified": ["catalog-info.yaml"]}],
    }


def gitlab_push(ref: str = "refs/heads/main", path: str = "platform/team-a/shop") -> dict:
    return {
        "object_kind": "push",
        "event_name": "push",
        "before": "0" * 40,
        "after": SHA,
        "ref": ref,
        "checkout_sha": SHA,
        "user_username": "alice",
        "project_id": 15,
        "project": {
            "id": 15,
            "name": path.rsplit("/", 1)[1],
            "web_url": f"https://gitlab.example.com/{path}",
            "git_ssh_url": f"git@gitlab.example.com:{path}.git",
            "git_http_url": f"https://gitlab.example.com/{path}.git",
            "namespace": path.rsplit("/", 1)[0],
            "path_with_namespace": path,
            "default_branch": "main",
        },
        "commits": [{"id": SHA, "message": "Edit catalog-info.yaml", "modified": ["catalog-info.yaml"]}],
        "total_commits_count": 1,
        "repository": {"name": path.rsplit("/", 1)[1], "url": f"git@gitlab.example.com:{path}.git"},
    }


def gitea_push(ref: str = "refs/heads/main", repo: str = "acme/shop") -> dict:
    return {
        "ref": ref,
        "before": "0" * 40,
        "after": SHA,
        "compare_url": f"https://git.example.com/{repo}/compare/000000...{SHA[:10]}",
        "commits": [{"id": SHA, "message": "Edit catalog-info.yaml\n"}],
        "repository": {
            "id": 3,
            "name": repo.split("/")[1],
            "full_name": repo,
            "html_url": f"https://git.example.com/{repo}",
            "ssh_url": f"ssh://git@git.example.com:2222/{repo}.git",
            "clone_url": f"https://git.example.com/{repo}.git",
            "default_branch": "main",
        },
        "pusher": {"login": "alice"},
    }


def github_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(provider: str, body: bytes, event: str = "", secret: str = SECRET) -> dict[str, str]:
    """The headers each forge sends with a delivery of ``body`` signed with ``secret``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if provider == "github":
        return {"X-GitHub-Event": event or "push", "X-Hub-Signature-256": f"sha256={digest}"}
    if provider == "gitlab":
        return {"X-Gitlab-Event": event or "Push Hook", "X-Gitlab-Token": secret}
    # Gitea sends GitHub's and Gogs' event headers too, for tools written for those.
    return {
        "X-Gitea-Event": event or "push",
        "X-GitHub-Event": event or "push",
        "X-Gogs-Event": event or "push",
        "X-Gitea-Signature": digest,
    }
