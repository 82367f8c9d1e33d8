"""``fetch:template`` and ``fetch:plain:file`` from a private repository over SSH, through the catalog's reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sshd_server import SshServer, make_key, make_served_repository, start_sshd, use_ssh_integration

from .test_actions import run, template


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture(scope="module")
def skeletons(sshd: SshServer):
    """A private repository of skeletons on the server."""
    return make_served_repository(
        sshd,
        "skeletons",
        {
            "python/${{ values.name }}/main.py": "print(${{ values.name | dump }})\n",
            "python/README.md": "# ${{ values.name }}\n",
            "LICENSE": "MIT\n",
        },
    )


def fetch(url: str) -> dict:
    return {"id": "fetch", "action": "fetch:template", "input": {"url": url, "values": {"name": "svc"}}}


def test_fetch_template_reads_a_skeleton_from_a_private_ssh_repository(settings, tmp_path, sshd, skeletons):
    use_ssh_integration(settings, tmp_path / "config", sshd)

    result, _, files = run(tmp_path, template(fetch(f"{sshd.url(skeletons)}#main:python")))

    assert result.status == "completed", result
    assert files == {"svc/main.py": 'print("svc")\n', "README.md": "# svc\n"}


def test_fetch_template_reads_an_scp_like_remote(settings, tmp_path, sshd, skeletons):
    use_ssh_integration(settings, tmp_path / "config", sshd)

    result, _, files = run(tmp_path, template(fetch(f"{sshd.url(skeletons, scp=True)}#main:python")))

    assert result.status == "completed", result
    assert set(files) == {"svc/main.py", "README.md"}


def test_fetch_plain_file_reads_one_file_over_ssh(settings, tmp_path, sshd, skeletons):
    use_ssh_integration(settings, tmp_path / "config", sshd)
    step = {"id": "fetch", "action": "fetch:plain:file", "input": {"url": f"{sshd.url(skeletons)}#main:LICENSE"}}
    step["input"]["targetPath"] = "LICENSE"

    result, _, files = run(tmp_path, template(step))

    assert result.status == "completed", result
    assert files == {"LICENSE": "MIT\n"}


def test_a_wrong_deploy_key_fails_the_step_with_the_integration_named(settings, tmp_path, sshd, skeletons):
    wrong = make_key(tmp_path, "wrong")
    use_ssh_integration(settings, tmp_path / "config", sshd, private_key=wrong)

    result, messages, files = run(tmp_path, template(fetch(f"{sshd.url(skeletons)}#main:python")))

    assert result.status == "failed"
    assert files == {}
    assert any("authentication failed for 127.0.0.1 (integration ssh[0])" in message for message in messages), messages
    secret = wrong.private.strip().splitlines()[2]
    assert not any(secret in message for message in messages)
