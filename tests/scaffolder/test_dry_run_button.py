"""The review step's "Dry run" button: a run without side effects, its files as a tree and each step's log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Location
from scaffolder.models import Task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import GIT_HOST, VALUES
from tests.scaffolder.form_client import FormWalk

pytestmark = pytest.mark.django_db

REPO = {"repoUrl.host": GIT_HOST, "repoUrl.owner": "acme", "repoUrl.repo": "svc"}


@pytest.fixture
def review(client, alice, make_template):
    client.force_login(alice)
    template = make_template()
    walk = FormWalk(client, reverse("scaffolder:template_form", args=["default", template.name]))
    walk.post("next", name=VALUES["name"], owner=VALUES["owner"], port="9000", withDocs="on")
    walk.post("next", **REPO)
    assert 'value="dry-run"' in walk.page
    return walk


def test_dry_run_button_starts_a_dry_run_and_opens_its_page(review, tmp_path):
    review.post("dry-run")

    task = Task.objects.get()
    assert task.is_dry_run
    assert review.response.status_code == 302 and review.response["Location"] == task.get_absolute_url()
    run_task(str(task.pk))
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
    assert not (tmp_path / "remotes").exists()
    assert not Location.objects.filter(target__contains="remotes").exists()


def test_the_dry_run_page_shows_the_file_tree_contents_and_step_logs(review, client):
    review.post("dry-run")
    task = Task.objects.get()
    run_task(str(task.pk))

    page = client.get(task.get_absolute_url()).content.decode()

    assert "Files this run would create" in page
    assert '<span class="file-tree-dir">src/</span>' in page
    assert '<li class="file-tree-row" style="--depth: 1"><span class="file-tree-dir">billing/</span>' in page
    assert '<code title="src/billing/__init__.py">__init__.py</code>' in page
    assert "Listens on port 9000." in page
    assert "What each step did" in page
    assert "Skipping action publish:git in a dry run: it has side effects" in page
    assert "Output: {&quot;commitHash&quot;: &quot;&lt;example&gt;&quot;" in page
    assert "Download workspace" not in page


def test_dry_run_with_a_missing_required_value_goes_back_to_the_page(client, alice, make_template):
    client.force_login(alice)
    template = make_template()
    walk = FormWalk(client, reverse("scaffolder:template_form", args=["default", template.name]))
    walk.post("next", name="billing", owner=VALUES["owner"])
    walk.post("next", **REPO)

    walk.post("goto", goto="0")
    walk.post("dry-run", name="", owner=VALUES["owner"])

    assert walk.response.status_code == 200
    assert not Task.objects.exists()
    assert walk.step_title() == "Service"
