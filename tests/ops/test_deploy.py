"""deploy/: the container image runs unprivileged on a read-only root filesystem; the compose file
runs web, worker, PostgreSQL and Redis; the Helm chart renders to manifests that the Kubernetes
JSON schemas accept (checked offline), with an autoscaled web, workers, a pre-upgrade migration
job, secrets kept out of config maps, and private and public storage."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.ops.helm_render import TemplateError, render_chart

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "civitas"
KUBERNETES = ["1.27", "1.33"]  # the oldest the chart supports and a recent one

VARIANTS = {
    "defaults": {},
    "object storage": {
        "storage": {
            "private": {"type": "s3", "s3Url": "s3://civitas-private/prod?region=gov-1"},
            "public": {"type": "s3", "s3Url": "s3://civitas-public/prod?region=eu-west-1"},
        }
    },
    "fixed replicas, ingress, existing secret": {
        "web": {"autoscaling": {"enabled": False}, "replicas": 3},
        "ingress": {"enabled": True, "className": "nginx", "tlsSecretName": "civitas-tls"},
        "secrets": {"create": False, "existingSecret": "civitas-from-vault"},
        "storage": {"private": {"existingClaim": "gov-nfs-private"}},
    },
}


def manifests(values: dict) -> list[dict]:
    return [doc for docs in render_chart(CHART, values=values).values() for doc in docs]


def by_kind(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc["kind"] == kind]


def pod_specs(docs: list[dict]) -> list[dict]:
    return [doc["spec"]["template"]["spec"] for doc in docs if doc["kind"] in {"Deployment", "Job"}]


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("version", KUBERNETES)
def test_every_manifest_passes_the_kubernetes_schema(variant, version):
    docs = manifests(VARIANTS[variant])
    assert docs
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(p) for p in error.path)
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {error.message}")


def test_the_chart_has_web_with_autoscaling_workers_and_a_pre_upgrade_migration_job():
    docs = manifests({})
    deployments = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    assert set(deployments) == {"civitas-web", "civitas-worker"}
    [hpa] = by_kind(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "civitas-web"
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in deployments["civitas-web"]["spec"], "the autoscaler owns the count"
    [job] = by_kind(docs, "Job")
    hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
    assert "pre-upgrade" in hooks
    assert job["spec"]["template"]["spec"]["containers"][0]["args"][:2] == ["civitas", "migrate"]
    worker = deployments["civitas-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"][:3] == ["celery", "--app=civitas.ops.celery", "worker"]
    web = deployments["civitas-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_pod_runs_unprivileged_on_a_read_only_root_filesystem(variant):
    for spec in pod_specs(manifests(VARIANTS[variant])):
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] != 0
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            mounts = {m["mountPath"] for m in container["volumeMounts"]}
            assert "/tmp" in mounts, "the only writable places are volumes"


def test_secrets_stay_in_secrets_and_storage_targets_are_separate():
    values = {"secrets": {"values": {"SECRET_KEY": "k" * 60, "DATABASE_URL": "postgres://x"}}}
    docs = manifests(values)
    [config] = by_kind(docs, "ConfigMap")
    assert not {"SECRET_KEY", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS"} & set(config["data"])
    [secret] = by_kind(docs, "Secret")
    assert secret["stringData"]["SECRET_KEY"] == "k" * 60
    assert "METRICS_TOKEN" not in secret["stringData"], "empty values are left out"
    claims = {c["metadata"]["name"] for c in by_kind(docs, "PersistentVolumeClaim")}
    assert claims == {"civitas-private", "civitas-public"}

    s3 = manifests(VARIANTS["object storage"])
    assert not by_kind(s3, "PersistentVolumeClaim")
    [secret] = by_kind(s3, "Secret")
    assert secret["stringData"]["PRIVATE_STORAGE_URL"].startswith("s3://civitas-private")
    assert secret["stringData"]["PUBLIC_STORAGE_URL"].startswith("s3://civitas-public")


def test_a_missing_required_value_is_named():
    with pytest.raises(TemplateError, match="existingSecret is required"):
        manifests({"secrets": {"create": False}})
    with pytest.raises(TemplateError, match="s3Url is required"):
        manifests({"storage": {"private": {"type": "s3"}}})


def _helm() -> str | None:
    return os.environ.get("HELM") or shutil.which("helm")


@pytest.mark.skipif(_helm() is None, reason="no helm binary: the built-in renderer alone is used")
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_built_in_renderer_agrees_with_helm(variant, tmp_path):
    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(VARIANTS[variant]))
    result = subprocess.run(
        [
            _helm(),
            "template",
            "civitas",
            str(CHART),
            "--kube-version",
            "1.30",
            "-f",
            str(values_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    theirs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    ours = manifests(VARIANTS[variant])

    def comparable(doc):  # the config checksum hashes YAML text, which Go and Python spell apart
        text = yaml.safe_dump(doc, sort_keys=True)
        return re.sub(r"checksum/config: \w+", "checksum/config: _", text)

    assert sorted(map(comparable, theirs)) == sorted(map(comparable, ours))


# --- the container image and the compose file -------------------------------------------------------


def test_the_image_runs_unprivileged_with_everything_it_copies_present():
    text = (DEPLOY / "Containerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert "USER 10001" in final_stage
    assert "HEALTHCHECK" in final_stage and "/healthz" in final_stage
    assert "PYTHONDONTWRITEBYTECODE=1" in final_stage, "no .pyc written on a read-only filesystem"
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.M):
        for path in source.split():
            assert (ROOT / path).exists(), f"COPY {path}: not in the repository"
    web_only = 'CMD ["civitas", "serve", "--host", "0.0.0.0", "--no-worker", "--no-scheduler"]'
    assert web_only in final_stage, "the image runs the web server alone"


def test_compose_runs_web_worker_postgres_and_redis_locked_down():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "postgres", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "migrate"):
        service = services[name]
        assert service["read_only"] is True
        assert service["user"].split(":")[0] not in {"0", "root"}
        assert service["cap_drop"] == ["ALL"]
        assert "/tmp" in service["tmpfs"][0]
        assert service["environment"]["TASKS_BACKEND"].endswith("CeleryBackend")
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["command"][:4] == ["celery", "-A", "civitas.ops.celery", "worker"]
    assert "SECRET_KEY" not in services["web"]["environment"], "secrets come from files"
    example = (DEPLOY / "compose.env.example").read_text()
    assert "DATABASE_URL=" in example and "POSTGRES_PASSWORD=" in example
