"""Git over SSH against a real sshd: deploy keys, pinned host keys, and the key kept off argv and disk."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, parse_git_target, read_location
from catalog.formats.readers.gitssh import SshCredential, credential_for, ssh_command
from tests.conftest import component
from tests.sshd_server import SshServer, free_port, make_key, make_served_repository, start_sshd

from .conftest import git


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture(scope="module")
def repository(sshd: SshServer) -> Path:
    """A repository on the server with two components, served by git-upload-pack over ssh."""
    return make_served_repository(
        sshd, "shop", {"catalog-info.yaml": component("shop"), "teams/a.yaml": component("team-a-app")}
    )


def credential(sshd: SshServer, **changes: object) -> SshCredential:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "config_path": "integrations.ssh[0]",
        "label": "ssh[0]",
        "port": sshd.port,
        "user": sshd.user,
        "private_key": sshd.deploy_key.private,
        "known_hosts": sshd.host_key.public,
    }
    values.update(changes)
    return SshCredential(**values)  # type: ignore[arg-type]


def ssh_policy(tmp_path: Path, *credentials: SshCredential, private: bool = True) -> ReaderPolicy:
    return ReaderPolicy(
        cache_dir=tmp_path / "cache",
        git_timeout_seconds=30,
        allow_private_addresses=private,
        ssh_credentials=credentials,
    )


def error_messages(result) -> list[str]:
    return [error.message for error in result.errors]


def test_reads_over_ssh_with_the_deploy_key_and_the_pinned_host_key(sshd, repository, tmp_path):
    result = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd)))

    assert result.errors == []
    assert [file.path for file in result.files] == ["catalog-info.yaml"]
    assert b"name: shop" in result.files[0].data
    assert result.commit == git(repository, "rev-parse", "HEAD")


def test_an_scp_style_remote_takes_the_port_and_user_of_the_integration(sshd, repository, tmp_path):
    target = f"127.0.0.1:{repository}#main:teams/*.yaml"

    result = read_location("url", target, ssh_policy(tmp_path, credential(sshd)))

    assert result.errors == []
    assert [file.path for file in result.files] == ["teams/a.yaml"]


def test_a_known_hosts_line_with_its_own_host_patterns_is_pinned_for_the_integration_host(sshd, repository, tmp_path):
    lines = f"# the portal's git server\n[git.example]:2222,10.0.0.9 {sshd.host_key.public}\n"
    policy = ssh_policy(tmp_path, credential(sshd, known_hosts=lines))

    assert read_location("url", sshd.url(repository), policy).errors == []


def test_an_unpinned_host_key_is_refused(sshd, repository, tmp_path):
    other = make_key(tmp_path, "other_host")
    policy = ssh_policy(tmp_path, credential(sshd, known_hosts=other.public))

    result = read_location("url", sshd.url(repository), policy)

    assert result.files == []
    (message,) = error_messages(result)
    assert message.endswith("host key for 127.0.0.1 is not pinned; add it to integrations.ssh[0].knownHosts")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").glob("*/HEAD"))


def test_no_pinned_host_keys_is_refused_before_connecting(sshd, repository, tmp_path):
    before = sshd.log.count("Connection from")
    result = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd, known_hosts=None)))

    assert error_messages(result) == [
        f"Could not read git repository {sshd.url(repository)}: "
        "host key for 127.0.0.1 is not pinned; add it to integrations.ssh[0].knownHosts"
    ]
    assert sshd.log.count("Connection from") == before


def test_a_wrong_deploy_key_fails_authentication(sshd, repository, tmp_path):
    wrong = make_key(tmp_path, "wrong")
    policy = ssh_policy(tmp_path, credential(sshd, private_key=wrong.private))

    result = read_location("url", sshd.url(repository), policy)

    assert error_messages(result) == [
        f"Could not read git repository {sshd.url(repository)}: "
        "authentication failed for 127.0.0.1 (integration ssh[0])"
    ]
    assert wrong.private not in repr(result)


def test_without_an_integration_the_error_says_to_configure_one(sshd, repository, tmp_path):
    result = read_location("url", sshd.url(repository), ssh_policy(tmp_path))

    (message,) = error_messages(result)
    assert message.endswith("; configure an ssh integration for 127.0.0.1")


def test_an_integration_for_another_host_does_not_apply(sshd, repository, tmp_path):
    policy = ssh_policy(tmp_path, credential(sshd, host="git.example.com"))

    (message,) = error_messages(read_location("url", sshd.url(repository), policy))

    assert message.endswith("; configure an ssh integration for 127.0.0.1")


def test_loopback_is_refused_unless_private_addresses_are_allowed(sshd, repository, tmp_path):
    before = sshd.log.count("Connection from")

    result = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd), private=False))

    assert error_messages(result) == [
        f"Refused {sshd.url(repository)}: host '127.0.0.1' resolves to non-public address 127.0.0.1; "
        "refusing to connect"
    ]
    assert sshd.log.count("Connection from") == before


def test_a_missing_or_malformed_private_key_is_named_by_its_key_path(sshd, repository, tmp_path):
    missing = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd, private_key=None)))
    garbled = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd, private_key="hunter2")))

    assert error_messages(missing)[0].endswith(
        "integrations.ssh[0].privateKey is not set; it is needed to read from 127.0.0.1"
    )
    assert error_messages(garbled)[0].endswith(
        "integrations.ssh[0].privateKey is not a private key (no BEGIN ... PRIVATE KEY block)"
    )
    assert "hunter2" not in error_messages(garbled)[0]


@pytest.mark.parametrize(
    ("known_hosts", "message"),
    [
        ("ssh-ed25519", "line 1: expected a key type such as ssh-ed25519 followed by the key"),
        ("# comment\n\nhost ssh-ed25519 !!notbase64", "line 3: the key is not valid base64 for a ssh-ed25519 key"),
        ("@trusted ssh-ed25519 AAAA", "line 1: unknown marker '@trusted'; use @cert-authority or @revoked"),
    ],
)
def test_a_bad_known_hosts_line_is_named(sshd, repository, tmp_path, known_hosts, message):
    policy = ssh_policy(tmp_path, credential(sshd, known_hosts=known_hosts))

    (error,) = error_messages(read_location("url", sshd.url(repository), policy))

    assert error.endswith(f"integrations.ssh[0].knownHosts {message}")


def test_a_key_of_another_type_than_its_line_says_is_refused(sshd, repository, tmp_path):
    key = sshd.host_key.public.split()[1]
    policy = ssh_policy(tmp_path, credential(sshd, known_hosts=f"ssh-rsa {key}"))

    (error,) = error_messages(read_location("url", sshd.url(repository), policy))

    assert error.endswith("integrations.ssh[0].knownHosts line 1: the key is not valid base64 for a ssh-rsa key")


def _descends_from_this_process(pid: int) -> bool:
    """Whether ``pid`` was started (directly or not) by this test process: other tests running beside
    it (another xdist worker) start ssh processes of their own, with key folders of their own."""
    own = os.getpid()
    while pid > 1:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        if pid == own:
            return True
    return False


def _watch_processes(found: list[dict[str, object]], stop: threading.Event) -> None:
    """Record the command line and environment of every ssh and git process this test starts, and
    the key file's mode."""
    while not stop.is_set():
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if not argv or Path(argv[0].decode(errors="replace")).name not in ("ssh", "git", "sh"):
                continue
            if not _descends_from_this_process(int(entry.name)):
                continue
            try:
                environment = Path(entry.path, "environ").read_bytes()
            except OSError:
                environment = b""
            seen: dict[str, object] = {"argv": b" ".join(argv), "environ": environment}
            for word in argv:
                if word.startswith(b"IdentityFile="):
                    key = Path(word.removeprefix(b"IdentityFile=").decode())
                    try:
                        seen["key_mode"] = stat.S_IMODE(key.stat().st_mode)
                        seen["dir_mode"] = stat.S_IMODE(key.parent.stat().st_mode)
                    except OSError:
                        pass
                    seen["key_path"] = key
            found.append(seen)


def test_the_key_never_reaches_argv_logs_errors_or_disk_after_the_read(sshd, repository, tmp_path, caplog):
    found: list[dict[str, object]] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_processes, args=(found, stop), daemon=True)
    secret = sshd.deploy_key.private.strip().splitlines()[2]  # a line of the key's base64 body
    watcher.start()
    try:
        with caplog.at_level("DEBUG"):
            good = read_location("url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd)))
            wrong_host = read_location(
                "url", sshd.url(repository), ssh_policy(tmp_path / "b", credential(sshd, known_hosts=None))
            )
    finally:
        stop.set()
        watcher.join()

    ssh_runs = [seen for seen in found if "key_path" in seen]
    assert good.errors == [] and ssh_runs, "the watcher saw no ssh process with the deploy key"
    assert all(secret.encode() not in seen["argv"] for seen in found)  # type: ignore[operator]
    assert all(secret.encode() not in seen["environ"] for seen in found)  # type: ignore[operator]
    assert any(b"GIT_SSH_COMMAND=ssh -F /dev/null" in seen["environ"] for seen in found)  # type: ignore[operator]
    assert {seen.get("key_mode") for seen in ssh_runs} - {None} == {0o600}
    assert {seen.get("dir_mode") for seen in ssh_runs} - {None} == {0o700}
    assert all(not Path(str(seen["key_path"])).parent.exists() for seen in ssh_runs)
    assert secret not in caplog.text
    assert secret not in repr(good) + repr(wrong_host) + repr(ssh_policy(tmp_path, credential(sshd)))


def test_a_key_with_a_passphrase_is_refused_before_connecting(sshd, repository, tmp_path):
    key = tmp_path / "locked"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", str(key)], check=True)
    before = sshd.log.count("Connection from")

    result = read_location(
        "url", sshd.url(repository), ssh_policy(tmp_path, credential(sshd, private_key=key.read_text()))
    )

    assert error_messages(result)[0].endswith(
        "integrations.ssh[0].privateKey is protected by a passphrase; use a key without one"
    )
    assert sshd.log.count("Connection from") == before


def test_a_closed_port_reports_what_ssh_said(sshd, repository, tmp_path):
    closed = free_port()
    url = f"ssh://{sshd.user}@127.0.0.1:{closed}{repository}"

    result = read_location("url", url, ssh_policy(tmp_path, credential(sshd)))

    assert error_messages(result) == [
        f"Could not read git repository {url}: ssh: connect to host 127.0.0.1 port {closed}: Connection refused"
    ]


def test_the_ssh_command_connects_to_the_checked_address_and_keeps_the_remotes_port_and_user(tmp_path):
    entry = SshCredential("git.example.com", "integrations.ssh[0]", "ssh[0]", port=2222, user="deploy")
    scp = parse_git_target("git.example.com:org/shop.git")
    explicit = parse_git_target("ssh://git@git.example.com:7999/org/shop.git")

    implied = shlex.split(ssh_command(tmp_path, scp, entry, "203.0.113.7", 30))
    named = shlex.split(ssh_command(tmp_path, explicit, entry, "[2001:db8::1]", 30))

    assert implied[:5] == ["ssh", "-F", "/dev/null", "-E", str(tmp_path / "ssh.log")]
    assert {"HostName=203.0.113.7", "HostKeyAlias=git.example.com", "Port=2222", "User=deploy"} <= set(implied)
    assert "HostName=2001:db8::1" in named
    assert not any(word.startswith(("Port=", "User=")) for word in named)  # the remote's own win


def test_an_ipv6_entry_matches_with_or_without_brackets():
    entry = SshCredential("[2001:db8::1]", "integrations.ssh[0]", "ssh[0]")

    assert credential_for("2001:db8::1", (entry,)) is entry
    assert credential_for("2001:db8::2", (entry,)) is None
    assert credential_for(None, (entry,)) is None
