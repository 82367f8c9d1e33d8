"""What the forge discovery end-to-end tests share: descriptors, hosting hundreds of repositories on the
git server, the provider run, what was cloned."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command

from catalog import config
from tests.gitserver import GitHttpsServer, reach


def component(name: str) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )


def start_git_host(
    git_https_server: Any, settings: Any, tmp_path: Path, login: tuple[str, str], repositories: Mapping[str, Any]
) -> tuple[GitHttpsServer, Path]:
    """The git server (taking only ``login``) holding ``acme/<name>`` for each of ``repositories``, the
    catalog allowed to reach it, and the path of the GREENROOM_CONFIG file ``write_config`` writes."""
    server = git_https_server(basic={login})
    host_repositories(server, "acme", repositories)
    reach(settings, server)
    config_file = tmp_path / "app-config.yaml"
    settings.GREENROOM_CONFIG_FILE = str(config_file)
    return server, config_file


def write_config(path: Path, forge: str, integration: dict[str, Any], entry: dict[str, Any], orphans: str) -> None:
    """An app-config with one ``integrations.<forge>`` entry and the provider ``<forge>.acme``."""
    app_config = {
        "integrations": {forge: [integration]},
        "catalog": {"orphanStrategy": orphans, "providers": {forge: {"acme": entry}}},
    }
    path.write_text(yaml.safe_dump(app_config))
    config.catalog_settings.cache_clear()


def refresh_provider(capture: Any, provider_id: str) -> str:
    """``manage.py catalog_providers refresh ID --wait``, then the location refreshes it queued."""
    out = io.StringIO()
    with capture(execute=True):
        call_command("catalog_providers", "refresh", provider_id, "--wait", stdout=out)
    return out.getvalue()


def cloned(server: GitHttpsServer) -> set[str]:
    """The repositories git fetched from the server (their ``info/refs`` requests)."""
    return {seen.path.split("/")[2].removesuffix(".git") for seen in server.seen if "info/refs" in seen.path}


def organisation(count: int, named: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """``named`` repositories first, then ``service-NNN`` ones (each with a descriptor) up to ``count``."""
    repositories = {name: dict(files) for name, files in named.items()}
    for number in range(len(named), count):
        repositories[f"service-{number:03d}"] = {"catalog-info.yaml": component(f"service-{number:03d}")}
    return repositories


_COMMITTER = "Greenroom Tests <tests@greenroom.invalid>"


def host_repositories(server: GitHttpsServer, owner: str, repositories: Mapping[str, Mapping[str, str]]) -> None:
    """Bare repositories ``<owner>/<name>.git`` on ``server``, one commit of their files on ``main`` each.

    One ``git fast-import`` writes every commit into a shared object store (a branch per repository);
    each repository is then a bare directory whose ``main`` names its commit and whose objects come
    from the store (``objects/info/alternates``), as ``git clone --shared`` makes them. Three
    hundred repositories take one process instead of six each.
    """
    commits = _import_commits(server, {f"{owner}/{name}": files for name, files in repositories.items()}, "first")
    for name in repositories:
        bare = server.root / "repos" / owner / f"{name}.git"
        for folder in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
            (bare / folder).mkdir(parents=True, exist_ok=True)
        (bare / "HEAD").write_text("ref: refs/heads/main\n")
        (bare / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n")
        (bare / "objects" / "info" / "alternates").write_text(f"{server.root / 'store.git' / 'objects'}\n")
        (bare / "refs" / "heads" / "main").write_text(f"{commits[f'{owner}/{name}']}\n")


def push_files(server: GitHttpsServer, repository: str, files: Mapping[str, str]) -> str:
    """A commit changing ``files`` on top of ``main`` of ``repository`` (``owner/name``), pushed there; its sha."""
    sha = _import_commits(server, {repository: files}, "change", on_top=True)[repository]
    (server.root / "repos" / f"{repository}.git" / "refs" / "heads" / "main").write_text(f"{sha}\n")
    return sha


def _import_commits(
    server: GitHttpsServer, commits: Mapping[str, Mapping[str, str]], message: str, *, on_top: bool = False
) -> dict[str, str]:
    """One commit per store branch (``owner/name``), a root one or ``on_top`` of the branch's; the new shas."""
    store = server.root / "store.git"
    if not store.exists():
        subprocess.run(["git", "init", "-q", "--bare", str(store)], check=True)
    stream = bytearray()
    for branch, files in commits.items():
        stream += f"commit refs/heads/{branch}\ncommitter {_COMMITTER} 1765100000 +0000\n".encode()
        stream += f"data {len(message)}\n{message}\n".encode()
        if on_top:  # an incremental import: the branch's commit in the store is the parent
            stream += f"from refs/heads/{branch}^0\n".encode()
        for path, text in files.items():
            data = text.encode()
            stream += f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"
        stream += b"\n"
    stream += b"done\n"
    subprocess.run(["git", "fast-import", "--quiet", "--done"], input=bytes(stream), cwd=store, check=True)
    heads = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads"],
        cwd=store, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    found = dict(line.split(" ", 1) for line in heads.splitlines())
    return {branch: found[branch] for branch in commits}
