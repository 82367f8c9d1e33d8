"""TechDocs sites in an S3 bucket: a moto server on 127.0.0.1 plays S3, django-storages talks to it."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from techdocs import storage
from techdocs.models import DocBuild, DocSite
from techdocs.services import check_entity_docs

pytestmark = pytest.mark.django_db
BUCKET = "greenroom-docs"
PREFIX = "techdocs-root"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, techdocs_storage, monkeypatch):
    """The techdocs storage as production configures it for S3 (settings.py), pointed at moto."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    existing = {bucket["Name"] for bucket in client.list_buckets()["Buckets"]}
    if BUCKET in existing:
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    else:
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "techdocs": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "us-east-1",
                "endpoint_url": moto_endpoint,
                "location": PREFIX,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": True,
            },
        },
    }
    storages._storages = {}
    storages._backends = None
    return client


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_build_is_uploaded_to_the_bucket_and_read_back(s3, docs_source, register, client, alice_user):
    entity = register(docs_source())
    build = check_entity_docs(entity.ref)
    assert build.status == DocBuild.Status.SUCCEEDED, build.error
    stored = keys(s3)
    assert f"{PREFIX}/default/component/documented-component/{build.pk}/index.html" in stored
    assert f"{PREFIX}/default/component/documented-component/{build.pk}/techdocs_metadata.json" in stored
    assert b"Motor Controller Handbook" in storage.read_file(build.storage_prefix, "techdocs_metadata.json")
    assert storage.read_file(build.storage_prefix, "no/such/file.html") is None
    client.force_login(alice_user)
    page = client.get("/docs/default/component/documented-component/")
    assert page.status_code == 200 and "<h1" in page.content.decode()


def test_a_rebuild_goes_online_and_the_old_files_are_deleted(s3, docs_source, register):
    root = docs_source()
    entity = register(root)
    first = check_entity_docs(entity.ref)
    (root / "docs" / "index.md").write_text("# Changed\n\nNew text.\n")
    second = check_entity_docs(entity.ref)
    assert second.status == DocBuild.Status.SUCCEEDED and second.pk != first.pk
    stored = keys(s3)
    assert not [key for key in stored if f"/documented-component/{first.pk}/" in key]
    assert f"{PREFIX}/default/component/documented-component/{second.pk}/index.html" in stored
    assert b"New text." in storage.read_file(second.storage_prefix, "index.html")


def test_a_failed_build_keeps_the_last_site_in_the_bucket(s3, docs_source, register):
    root = docs_source()
    entity = register(root)
    good = check_entity_docs(entity.ref)
    before = keys(s3)
    (root / "mkdocs.yml").write_text("site_name: Broken\ndocs_dir: missing\n")
    failed = check_entity_docs(entity.ref)
    assert failed.status == DocBuild.Status.FAILED
    assert keys(s3) == before
    assert DocSite.objects.get().current_build_id == good.pk
    assert storage.read_file(good.storage_prefix, "index.html") is not None


def test_delete_prefix_removes_only_that_build(s3):
    site = storages["techdocs"]
    from django.core.files.base import ContentFile

    for name in ("a/b/1/index.html", "a/b/1/sub/page.html", "a/b/2/index.html"):
        site.save(name, ContentFile(b"x"))
    storage.delete_prefix("a/b/1")
    assert keys(s3) == [f"{PREFIX}/a/b/2/index.html"]
