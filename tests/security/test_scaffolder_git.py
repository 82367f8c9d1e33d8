"""Publishing: nothing a template writes into the workspace can make git run a command on the server.

Each test plants a command that would create a canary file (a ``core.fsmonitor`` hook, a clean
filter driver) and publishes to a local bare repository; the canary must never appear.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from scaffolder.runner import Run, RunSpec
from scaffolder.workspace import Workspace, WorkspaceError, clean_relative

pytestmark = pytest.mark.django_db

HOST = "git.test"


@pytest.fixture
def remote(tmp_path, settings) -> Path:
    settings.SCAFFOLDER = {
        **settings.SCAFFOLDER,
        "ALLOW_FILE_REMOTES": True,
        "PUBLISHERS": [{"host": HOST, "type": "git", "remote": f"file://{tmp_path}/remotes/{{owner}}/{{repo}}.git"}],
    }
    path = tmp_path / "remotes" / "acme" / "svc.git"
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def hostile_config(canary: Path) -> str:
    return (
        "[core]\n"
        f"\tfsmonitor = touch {canary}; false\n"
        '[filter "evil"]\n'
        f"\tclean = touch {canary}; cat\n"
        f"\tsmudge = touch {canary}; cat\n"
        '[diff "evil"]\n'
        f"\ttextconv = touch {canary}; cat\n"
    )


def publish(tmp_path: Path, skeleton: dict[str, str], values: dict[str, Any] | None, *more_steps: dict):
    """Fetch ``skeleton`` (with fetch:template and ``values``, or fetch:plain when they are None), run
    ``more_steps``, then publish:git; (result, log messages)."""
    template_dir = tmp_path / "tpl"
    for relative, content in skeleton.items():
        path = template_dir / "skeleton" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (template_dir / "template.yaml").write_text("{}")
    steps = [
        {"id": "fetch", "action": "fetch:plain", "input": {"url": "./skeleton"}}
        if values is None
        else {"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton", "values": values}},
        *more_steps,
        {"id": "publish", "action": "publish:git", "input": {"repoUrl": f"{HOST}?owner=acme&repo=svc"}},
    ]
    body = {"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "spec": {"steps": steps}}
    workspace = Workspace(tmp_path / "ws")
    workspace.root.mkdir()
    events: list[dict[str, Any]] = []
    spec = RunSpec(task_id="t", template=body, values={}, base_url=f"file:{template_dir}/template.yaml")
    result = Run(spec, lambda type, event: events.append(event), workspace=workspace).execute()
    return result, [str(event.get("message", "")) for event in events]


def pushed_files(remote: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main"], capture_output=True, text=True
    )
    return listing.stdout.split()


RENAME_TO_GIT = {"id": "rename", "action": "fs:rename", "input": {"files": [{"from": "settings", "to": ".git"}]}}
NO_GIT = "names a git directory ('.git'), which a workspace may not hold"


@pytest.mark.parametrize(
    ("config_path", "values", "steps", "error"),
    [
        # written literally in the skeleton
        (".git/config", {}, [], f"Refused '.git/config': path '.git/config' {NO_GIT}"),
        # fetched as it is, without templating
        (".git/config", None, [], f"Refused '.git/config': path '.git/config' {NO_GIT}"),
        # a templated directory name that renders to .git
        (
            "${{ values.dir }}/config",
            {"dir": ".git"},
            [],
            f"Refused '${{{{ values.dir }}}}/config': path '.git/config' {NO_GIT}",
        ),
        # a harmless directory renamed to .git by a later step
        ("settings/config", {}, [RENAME_TO_GIT], f"files[0].to '.git' {NO_GIT}"),
    ],
    ids=["literal", "fetched-plain", "templated-name", "renamed"],
)
def test_a_git_directory_from_the_template_is_refused_and_runs_nothing(
    tmp_path, remote, config_path, values, steps, error
):
    canary = tmp_path / "canary"
    skeleton = {config_path: hostile_config(canary), ".gitattributes": "* filter=evil diff=evil\n", "README.md": "hi\n"}
    result, _ = publish(tmp_path, skeleton, values, *steps)
    assert result.status == "failed"
    assert result.error == error
    assert not canary.exists()
    assert pushed_files(remote) == []


def test_a_gitattributes_file_is_published_but_invokes_no_driver(tmp_path, remote, monkeypatch):
    # Drivers defined anywhere git might look outside the run (the server's own config files, the
    # environment) are not read either: only the publisher's fixed settings apply.
    canary = tmp_path / "canary"
    outside = tmp_path / "server.gitconfig"
    outside.write_text(hostile_config(canary))
    (tmp_path / "xdg" / "git").mkdir(parents=True)
    (tmp_path / "xdg" / "git" / "config").write_text(hostile_config(canary))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(outside))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'filter.evil.clean'='touch {canary}; cat'")
    skeleton = {".gitattributes": "* filter=evil diff=evil merge=evil\n", "README.md": "hello\n"}
    result, _ = publish(tmp_path, skeleton, {})
    assert result.status == "completed", result.error
    assert pushed_files(remote) == [".gitattributes", "README.md"]
    assert not canary.exists()


@pytest.mark.parametrize(
    "relative", [".git", ".git/config", "a/.git/hooks/x", ".GIT/config", ".git./config", "git~1/config", ".g\u200cit/x"]
)
def test_no_workspace_path_may_name_a_git_directory(relative):
    with pytest.raises(WorkspaceError, match="names a git directory"):
        clean_relative(relative)


def test_a_git_directory_made_by_other_means_fails_the_check_after_the_step(tmp_path):
    workspace = Workspace(tmp_path)
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    (tmp_path / "sub" / ".git" / "config").write_text("[core]\n")
    with pytest.raises(WorkspaceError, match=r"^'sub/\.git' names a git directory, which a workspace may not hold$"):
        workspace.check_entries()
