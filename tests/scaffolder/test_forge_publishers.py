"""publish:github and publish:gitlab create the repository through the forge API, then push to it."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from scaffolder.actions import ActionError
from scaffolder.forge_api import check_api_url
from tests.scaffolder.fake_forge import FakeForge
from tests.scaffolder.test_actions import run, template

pytestmark = pytest.mark.django_db

TOKEN = "ghp-secret-token-123"
FILES = {"README.md": "# ${{ values.name }}\n"}
FETCH = {"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton", "values": {"name": "svc"}}}


def configure(settings, forge: FakeForge, style: str, host: str, **extra: Any) -> None:
    web = f"https://{host}/{{owner}}/{{repo}}"
    settings.SCAFFOLDER = {
        **settings.SCAFFOLDER,
        "PUBLISHERS": [
            {
                "host": host,
                "type": style,
                "api": forge.url,
                "remote": f"file://{forge.remotes}/{{owner}}/{{repo}}.git",
                "web": web if extra.pop("with_web", False) else None,
                "token": TOKEN,
                **extra,
            }
        ],
    }


def run_steps(tmp_path, steps: tuple[dict[str, Any], ...]):
    return run(tmp_path, template(FETCH, *steps), skeleton=FILES)


def publish_step(action: str, repo_url: str, **inputs: Any) -> dict[str, Any]:
    return {"id": "publish", "action": action, "input": {"repoUrl": repo_url, **inputs}}


def github_org(forge: FakeForge, owner: str = "acme", kind: str = "Organization") -> None:
    forge.route("GET", f"/users/{owner}", body={"login": owner, "type": kind})

    def create(body: dict, _request: Any) -> tuple[int, Any]:
        forge.make_bare(owner, body["name"])
        return 201, {"html_url": f"https://github.test/{owner}/{body['name']}", "default_branch": "main"}

    forge.routes[("POST", f"/orgs/{owner}/repos" if kind == "Organization" else "/user/repos")] = create


def test_publish_github_creates_the_repository_then_pushes(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    github_org(fake_forge)
    step = publish_step(
        "publish:github", "github.test?owner=acme&repo=svc", description="Billing", repoVisibility="internal"
    )
    result, messages, _ = run_steps(tmp_path, (step,))
    assert result.status == "completed", result.error
    assert fake_forge.paths() == ["GET /users/acme", "POST /orgs/acme/repos"]
    create = fake_forge.requests[1]
    assert create.body == {
        "name": "svc", "description": "Billing", "private": True, "auto_init": False, "visibility": "internal"
    }  # fmt: skip
    assert create.headers["authorization"] == f"Bearer {TOKEN}"
    output = result.step_outputs["publish"]["output"]
    assert output["remoteUrl"] == "https://github.test/acme/svc"
    assert output["repoContentsUrl"] == "https://github.test/acme/svc/blob/main"
    pushed = subprocess.run(
        ["git", "-C", str(fake_forge.remotes / "acme" / "svc.git"), "rev-parse", "main"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert output["commitHash"] == pushed
    assert "Created repository acme/svc on github.test (internal)" in " ".join(messages)
    assert not any(TOKEN in message for message in messages)


def test_publish_github_for_a_user_account_uses_user_repos(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    github_org(fake_forge, "alice", kind="User")
    result, _, _ = run_steps(tmp_path, (publish_step("publish:github", "github.test?owner=alice&repo=svc"),))
    assert result.status == "completed", result.error
    assert fake_forge.paths() == ["GET /users/alice", "POST /user/repos"]
    assert fake_forge.requests[1].body["private"] is True and "visibility" not in fake_forge.requests[1].body


def test_publish_github_refuses_an_existing_repository(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.route("GET", "/users/acme", body={"type": "Organization"})
    fake_forge.route(
        "POST", "/orgs/acme/repos", 422,
        {"message": "Repository creation failed.", "errors": [{"message": "name already exists on this account"}]},
    )  # fmt: skip
    result, _, _ = run_steps(tmp_path, (publish_step("publish:github", "github.test?owner=acme&repo=svc"),))
    assert result.status == "failed"
    assert result.error == "Repository acme/svc already exists on github.test (set skipExisting: true to push to it)"


def test_publish_github_skip_existing_pushes_to_the_existing_repository(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.make_bare("acme", "svc")
    fake_forge.route("GET", "/users/acme", body={"type": "Organization"})
    fake_forge.route("POST", "/orgs/acme/repos", 422, {"message": "x", "errors": [{"message": "name already exists"}]})
    fake_forge.route("GET", "/repos/acme/svc", body={"html_url": "https://github.test/acme/svc"})
    step = publish_step("publish:github", "github.test?owner=acme&repo=svc", skipExisting=True)
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "completed", result.error
    assert result.step_outputs["publish"]["output"]["remoteUrl"] == "https://github.test/acme/svc"


def test_a_401_from_the_forge_is_a_step_error_without_the_token(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.route("GET", "/users/acme", 401, {"message": f"Bad credentials for {TOKEN}"})
    result, messages, _ = run_steps(tmp_path, (publish_step("publish:github", "github.test?owner=acme&repo=x"),))
    assert result.status == "failed"
    assert result.error == "github.test answered 401 to GET /users/acme: Bad credentials for ***"
    assert not (fake_forge.remotes / "acme" / "x.git").exists()
    assert not any(TOKEN in message for message in messages)


def test_the_step_token_input_replaces_the_configured_token(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.route("GET", "/users/acme", 401, {"message": "Bad credentials"})
    step = publish_step("publish:github", "github.test?owner=acme&repo=x", token="wrong-token")
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "failed" and "401" in result.error
    assert fake_forge.requests[0].headers["authorization"] == "Bearer wrong-token"


def test_a_forge_server_error_is_a_step_error(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.route("GET", "/users/acme", body={"type": "Organization"})
    fake_forge.route("POST", "/orgs/acme/repos", 500, {"message": "Server Error"})
    result, _, _ = run_steps(tmp_path, (publish_step("publish:github", "github.test?owner=acme&repo=svc"),))
    assert result.status == "failed"
    assert result.error == "github.test answered 500 to POST /orgs/acme/repos: Server Error"


def gitlab_namespace(forge: FakeForge, path: str = "platform", namespace_id: int = 42) -> None:
    forge.route("GET", f"/namespaces/{path}", body={"id": namespace_id, "full_path": path})

    def create(body: dict, _request: Any) -> tuple[int, Any]:
        forge.make_bare(path, body["path"])
        return 201, {"id": 7, "web_url": f"https://gitlab.test/{path}/{body['path']}"}

    forge.routes[("POST", "/projects")] = create


def test_publish_gitlab_looks_up_the_namespace_and_creates_the_project(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "gitlab", "gitlab.test")
    gitlab_namespace(fake_forge)
    step = publish_step("publish:gitlab", "gitlab.test?owner=platform&repo=svc", repoVisibility="internal")
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "completed", result.error
    assert fake_forge.paths() == ["GET /namespaces/platform", "POST /projects"]
    assert fake_forge.requests[1].body == {
        "name": "svc", "path": "svc", "namespace_id": 42, "visibility": "internal", "description": "",
        "default_branch": "master",
    }  # fmt: skip
    assert fake_forge.requests[0].headers["private-token"] == TOKEN
    output = result.step_outputs["publish"]["output"]
    assert output["remoteUrl"] == "https://gitlab.test/platform/svc"
    assert output["repoContentsUrl"] == "https://gitlab.test/platform/svc/-/blob/master"
    assert output["projectId"] == 7 and output["created"] is True and len(output["commitHash"]) == 40


def test_publish_gitlab_unknown_namespace_is_a_clear_error(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "gitlab", "gitlab.test")
    result, _, _ = run_steps(tmp_path, (publish_step("publish:gitlab", "gitlab.test?owner=nobody&repo=svc"),))
    assert result.status == "failed"
    assert result.error == "repoUrl: namespace 'nobody' was not found on gitlab.test"


def test_publish_gitlab_existing_project_is_refused(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "gitlab", "gitlab.test")
    fake_forge.route("GET", "/namespaces/platform", body={"id": 42})
    fake_forge.route("POST", "/projects", 400, {"message": {"name": ["has already been taken"]}})
    result, _, _ = run_steps(tmp_path, (publish_step("publish:gitlab", "gitlab.test?owner=platform&repo=svc"),))
    assert result.status == "failed"
    assert result.error == "Project platform/svc already exists on gitlab.test (set skipExisting: true to push to it)"


def test_an_empty_api_setting_pushes_to_an_existing_repository_without_api_calls(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    settings.SCAFFOLDER["PUBLISHERS"][0]["api"] = ""
    fake_forge.make_bare("acme", "svc")
    result, _, _ = run_steps(tmp_path, (publish_step("publish:github", "github.test?owner=acme&repo=svc"),))
    assert result.status == "completed", result.error
    assert fake_forge.requests == []


def test_loopback_api_is_refused_unless_private_addresses_are_allowed(settings):
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": False}
    with pytest.raises(ActionError, match=r"resolves to non-public address 127\.0\.0\.1"):
        check_api_url("http://127.0.0.1:9/api")
    with pytest.raises(ActionError, match=r"non-public address 169\.254\.169\.254"):
        check_api_url("https://169.254.169.254/latest")


@pytest.mark.parametrize("url", ["ftp://forge.example/api", "https://user:pw@127.0.0.1/api", "http:///x"])
def test_malformed_api_urls_are_refused(settings, url):
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    with pytest.raises(ActionError, match="must be an https URL with a host"):
        check_api_url(url)


def test_plain_http_is_refused_for_non_loopback_hosts(settings):
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    with pytest.raises(ActionError, match="must use https"):
        check_api_url("http://10.1.2.3/api/v4")
    assert check_api_url("https://10.1.2.3/api/v4/") == "https://10.1.2.3/api/v4"


# --- Pull and merge requests -------------------------------------------------------------------


def git_file(remote, ref: str) -> str:
    return subprocess.run(["git", "-C", str(remote), "show", ref], capture_output=True, text=True, check=True).stdout


def test_pull_request_pushes_a_branch_and_opens_the_pull_request(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    remote = fake_forge.make_bare("acme", "svc", seed_branch="trunk")
    fake_forge.route("GET", "/repos/acme/svc", body={"id": 1, "default_branch": "trunk"})
    fake_forge.route(
        "POST",
        "/repos/acme/svc/pulls",
        201,
        {"id": 9, "number": 12, "html_url": "https://github.test/acme/svc/pull/12"},
    )
    step = {
        "id": "pr", "action": "publish:github:pull-request",
        "input": {"repoUrl": "github.test?owner=acme&repo=svc", "branchName": "add-svc", "title": "Add svc",
                  "description": "From a template", "targetPath": "services/svc", "draft": True},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "completed", result.error
    assert fake_forge.paths() == ["GET /repos/acme/svc", "POST /repos/acme/svc/pulls"]
    assert fake_forge.requests[1].body == {
        "title": "Add svc", "head": "add-svc", "base": "trunk", "body": "From a template", "draft": True
    }  # fmt: skip
    output = result.step_outputs["pr"]["output"]
    assert output["remoteUrl"] == "https://github.test/acme/svc/pull/12"
    assert output["pullRequestNumber"] == 12 and output["targetBranchName"] == "trunk"
    assert git_file(remote, "add-svc:services/svc/README.md") == "# svc\n"
    assert git_file(remote, "add-svc:README.md") == "# existing\n"  # the target branch's files stay


def test_pull_request_with_an_invalid_branch_name_calls_nothing(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    step = {
        "id": "pr", "action": "publish:github:pull-request",
        "input": {"repoUrl": "github.test?owner=acme&repo=svc", "branchName": "bad..name", "title": "x"},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "failed"
    assert result.error == "branchName: 'bad..name' is not a valid git branch name"
    assert fake_forge.requests == []


def test_pull_request_refused_by_the_forge_is_a_step_error(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    fake_forge.make_bare("acme", "svc", seed_branch="main")
    fake_forge.route("POST", "/repos/acme/svc/pulls", 422, {"message": "Validation Failed"})
    step = {
        "id": "pr", "action": "publish:github:pull-request",
        "input": {"repoUrl": "github.test?owner=acme&repo=svc", "branchName": "b", "title": "x",
                  "targetBranchName": "main"},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "failed"
    assert result.error == "github.test answered 422 to POST /repos/acme/svc/pulls: Validation Failed"


def test_pull_request_refuses_a_symbolic_link_in_the_target_repository(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "github", "github.test")
    remote = fake_forge.make_bare("acme", "svc", seed_branch="main")
    seed = fake_forge.remotes / "seed-acme-svc"
    (seed / "services").symlink_to(tmp_path)
    subprocess.run(["git", "-C", str(seed), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(seed), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "link"], check=True
    )
    subprocess.run(["git", "-C", str(seed), "push", "-q", str(remote), "HEAD:main"], check=True)
    step = {
        "id": "pr", "action": "publish:github:pull-request",
        "input": {"repoUrl": "github.test?owner=acme&repo=svc", "branchName": "b", "title": "x",
                  "targetBranchName": "main", "targetPath": "services/svc"},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "failed"
    assert result.error == "the repository has a symbolic link at services; refused"
    assert not (tmp_path / "svc").exists()
    assert fake_forge.requests == []


def test_merge_request_opens_on_the_project_default_branch(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "gitlab", "gitlab.test")
    remote = fake_forge.make_bare("platform", "svc", seed_branch="main")
    fake_forge.route(
        "GET",
        "/projects/platform%2Fsvc",
        body={"id": 31, "default_branch": "main", "path_with_namespace": "platform/svc"},
    )
    fake_forge.route(
        "POST",
        "/projects/31/merge_requests",
        201,
        {"id": 5, "iid": 3, "web_url": "https://gitlab.test/platform/svc/-/merge_requests/3"},
    )
    step = {
        "id": "mr", "action": "publish:gitlab:merge-request",
        "input": {"repoUrl": "gitlab.test?owner=platform&repo=svc", "branchName": "add", "title": "Add",
                  "removeSourceBranch": True, "labels": ["scaffolder", "new"]},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "completed", result.error
    assert fake_forge.requests[1].body == {
        "source_branch": "add", "target_branch": "main", "title": "Add", "description": "",
        "remove_source_branch": True, "labels": "scaffolder,new",
    }  # fmt: skip
    assert result.step_outputs["mr"]["output"] == {
        "mergeRequestUrl": "https://gitlab.test/platform/svc/-/merge_requests/3",
        "projectid": 31,
        "projectPath": "platform/svc",
        "targetBranchName": "main",
    }
    assert git_file(remote, "add:README.md") == "# svc\n"


def test_merge_request_for_an_unknown_project_is_a_clear_error(tmp_path, settings, fake_forge):
    configure(settings, fake_forge, "gitlab", "gitlab.test")
    step = {
        "id": "mr", "action": "publish:gitlab:merge-request",
        "input": {"repoUrl": "gitlab.test?owner=platform&repo=gone", "branchName": "add", "title": "Add"},
    }  # fmt: skip
    result, _, _ = run_steps(tmp_path, (step,))
    assert result.status == "failed"
    assert result.error == "repoUrl: project 'platform/gone' was not found on gitlab.test"
