"""The Dockerfile, compose.yaml and Kubernetes manifests, checked with schema-aware validators."""

from __future__ import annotations

import copy
import re
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from tests.ops.test_settings import REPO_ROOT

MANIFESTS = sorted((REPO_ROOT / "deploy" / "kubernetes").glob("*.yaml"))
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN|DATABASE_URL|AWS_ACCESS")


def resources() -> list[dict]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in resources() if doc["kind"] == kind}


def containers(resource: dict) -> list[dict]:
    return resource["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_is_valid_for_kubernetes(path):
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_validator_refuses_a_broken_manifest():
    broken = copy.deepcopy(by_kind("Deployment")["greenroom-web"])
    broken["spec"]["replicas"] = "two"

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, kubernetes_validate.latest_version(), strict=True)


def test_manifests_cover_every_process():
    assert set(by_kind("Deployment")) == {"greenroom-web", "greenroom-worker", "greenroom-beat"}
    assert set(by_kind("Service")) == {"greenroom-web"}
    assert set(by_kind("Job")) == {"greenroom-migrate"}
    assert by_kind("Deployment")["greenroom-beat"]["spec"]["replicas"] == 1


def test_web_probes_use_health_endpoints():
    (web,) = containers(by_kind("Deployment")["greenroom-web"])

    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_every_pod_runs_as_non_root_with_secrets_from_a_secret():
    workloads = [*by_kind("Deployment").values(), *by_kind("Job").values()]
    for resource in workloads:
        assert resource["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        for container in containers(resource):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert {"secretRef": {"name": "greenroom-secrets"}} in container["envFrom"]


def test_configmap_holds_no_secret():
    (config,) = by_kind("ConfigMap").values()

    assert [name for name in config["data"] if SECRET_NAMES.search(name)] == []


def test_compose_file_matches_the_compose_specification():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_validator_refuses_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  web:\n    image: greenroom\n    healthcheck: {interval: [10]}\n")

    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1


def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())


def test_compose_runs_every_process_with_healthchecks():
    services = compose()["services"]

    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    for name in ("worker", "beat"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "python", "manage.py", "readyz"]
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]


def test_compose_takes_secrets_from_the_environment():
    for service in compose()["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(name):
                assert str(value).startswith("${") or "${" in str(value), f"{name} is written in compose.yaml"


def dockerfile_stages() -> list[str]:
    text = (REPO_ROOT / "Dockerfile").read_text()
    return re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]


def test_dockerfile_final_stage_is_slim_and_non_root():
    builder, final = dockerfile_stages()

    assert "AS builder" in builder and "pip wheel" in builder
    assert "build-essential" in builder
    for tool in ("build-essential", "gcc", "libpq-dev", "-dev "):
        assert tool not in final
    assert "--no-index" in final
    assert "collectstatic" in final
    assert re.search(r"^USER 10001", final, re.MULTILINE)
    assert final.index("collectstatic") < final.index("USER ")
