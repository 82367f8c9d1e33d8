"""A finished run's workspace: kept for the retention, downloaded as .zip or .tar.gz, then deleted."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Entity
from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import remove_expired_workspaces_task, run_task
from scaffolder.workspace import kept_workspace

pytestmark = pytest.mark.django_db

FETCH_ONLY = {
    "apiVersion": "scaffolder.backstage.io/v1beta3",
    "kind": "Template",
    "metadata": {"name": "fetch-only"},
    "spec": {
        "owner": "group:default/team-a",
        "type": "service",
        "parameters": [{"properties": {"name": {"type": "string"}}}],
        "steps": [{"id": "fetch", "action": "fetch:template", "input": {"url": "./skeleton",
                                                                      "values": {"name": "${{ parameters.name }}"}}}],
    },
}  # fmt: skip
SKELETON = {"README.md": "# ${{ values.name }}\n", "src/${{ values.name }}/app.py": "NAME = 1\n"}


@pytest.fixture
def finished_task(make_template, alice) -> Task:
    task = create_task(make_template(FETCH_ONLY, SKELETON), {"name": "parking"}, alice)
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    return task


def download(client, task: Task, archive_format: str = "zip"):
    return client.get(reverse("scaffolder:task_workspace", args=[task.pk, archive_format]))


def test_the_workspace_is_kept_after_the_run(finished_task, tmp_path):
    root = kept_workspace(str(finished_task.pk))
    assert (root / "README.md").read_text() == "# parking\n"
    assert list((tmp_path / "workspaces").iterdir()) == []


def test_creator_downloads_the_workspace_as_a_zip(client, alice, finished_task):
    client.force_login(alice)
    response = download(client, finished_task)

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="fetch-only-{str(finished_task.pk)[:8]}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    folder = f"fetch-only-{str(finished_task.pk)[:8]}"
    assert archive.namelist() == [f"{folder}/README.md", f"{folder}/src/parking/app.py"]
    assert archive.read(f"{folder}/README.md") == b"# parking\n"


def test_platform_admin_downloads_it_as_a_tar_gz(client, platform_admin, finished_task):
    client.force_login(platform_admin)
    response = download(client, finished_task, "tar.gz")

    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(b"".join(response.streaming_content)), mode="r:gz") as archive:
        names = archive.getnames()
        first = archive.extractfile(names[0]).read()
    assert [name.split("/", 1)[1] for name in names] == ["README.md", "src/parking/app.py"]
    assert first == b"# parking\n"


def test_another_users_task_is_forbidden(client, bob, finished_task):
    client.force_login(bob)
    response = download(client, finished_task)

    assert response.status_code == 403
    assert kept_workspace(str(finished_task.pk)).is_dir()


def test_anonymous_is_sent_to_sign_in(client, finished_task):
    assert download(client, finished_task).status_code == 302


def test_an_unknown_archive_format_is_not_found(client, alice, finished_task):
    client.force_login(alice)
    assert download(client, finished_task, "rar").status_code == 404


def test_after_the_retention_the_download_is_gone_with_a_clear_message(client, alice, finished_task, settings):
    Task.objects.filter(pk=finished_task.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    client.force_login(alice)
    response = download(client, finished_task)

    assert response.status_code == 410
    assert response.content.decode() == (
        "The workspace of this run was kept for 24 hours after it finished (SCAFFOLDER_WORKSPACE_RETENTION) "
        "and has been deleted."
    )
    assert not kept_workspace(str(finished_task.pk)).exists()


def test_links_out_of_the_workspace_are_left_out_of_the_archive(client, alice, finished_task, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("not yours")
    root = kept_workspace(str(finished_task.pk))
    (root / "leak.txt").symlink_to(secret)
    (root / "leakdir").symlink_to(tmp_path)
    client.force_login(alice)

    archive = zipfile.ZipFile(io.BytesIO(b"".join(download(client, finished_task).streaming_content)))

    assert [name.split("/", 1)[1] for name in archive.namelist()] == ["README.md", "src/parking/app.py"]


def test_a_dry_run_keeps_no_workspace(client, alice, make_template):
    task = create_task(make_template(FETCH_ONLY, SKELETON), {"name": "parking"}, alice, dry_run=True)
    run_task(str(task.pk))
    client.force_login(alice)

    response = download(client, task)

    assert response.status_code == 404
    assert "A dry run keeps no workspace" in response.content.decode()
    assert not kept_workspace(str(task.pk)).exists()


def test_a_retention_of_zero_deletes_the_workspace_at_once(make_template, alice, settings, client):
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "WORKSPACE_RETENTION": 0}
    task = create_task(make_template(FETCH_ONLY, SKELETON), {"name": "parking"}, alice)
    run_task(str(task.pk))
    client.force_login(alice)

    assert not kept_workspace(str(task.pk)).exists()
    response = download(client, task)
    assert response.status_code == 404
    assert response.content.decode() == "Workspaces are not kept on this portal (SCAFFOLDER_WORKSPACE_RETENTION is 0)."


def test_the_cleaner_removes_expired_and_orphaned_workspaces_only(finished_task, alice):
    recent = create_task(Entity.objects.get(ref=finished_task.template_ref), {"name": "other"}, alice)
    run_task(str(recent.pk))
    orphan = kept_workspace("5b0f3c2e-0000-4000-8000-000000000009")
    orphan.mkdir(parents=True)
    Task.objects.filter(pk=finished_task.pk).update(finished_at=timezone.now() - timedelta(days=2))

    assert remove_expired_workspaces_task() == 2

    assert not kept_workspace(str(finished_task.pk)).exists() and not orphan.exists()
    assert kept_workspace(str(recent.pk)).is_dir()


def test_the_task_page_links_the_downloads_for_the_creator(client, alice, finished_task):
    client.force_login(alice)
    page = client.get(reverse("scaffolder:task_detail", args=[finished_task.pk])).content.decode()

    assert "Download workspace (.zip)" in page and "Download workspace (.tar.gz)" in page
    assert reverse("scaffolder:task_workspace", args=[finished_task.pk, "tar.gz"]) in page


@pytest.mark.parametrize("archive_format", ["zip", "tar.gz"])
def test_a_large_file_is_sent_in_bounded_chunks_and_arrives_whole(archive_format, tmp_path):
    from scaffolder.workspace_archive import stream_archive

    (tmp_path / "ws" / "data").mkdir(parents=True)
    payload = os.urandom(1024 * 1024)
    (tmp_path / "ws" / "data" / "blob.bin").write_bytes(payload)
    (tmp_path / "ws" / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "ws" / "run.sh").chmod(0o755)

    chunks = list(stream_archive(tmp_path / "ws", archive_format, "top"))

    assert len(chunks) > 4 and max(len(chunk) for chunk in chunks) < 256 * 1024
    data = io.BytesIO(b"".join(chunks))
    if archive_format == "zip":
        assert zipfile.ZipFile(data).read("top/data/blob.bin") == payload
    else:
        with tarfile.open(fileobj=data, mode="r:gz") as archive:
            assert archive.extractfile("top/data/blob.bin").read() == payload
            assert archive.getmember("top/run.sh").mode == 0o755
