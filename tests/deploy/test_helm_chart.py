"""The Helm chart: lint, render, validate against Kubernetes' schemas, and reject bad values.

Needs no cluster. `helm` comes from deploy/tools/install-helm.sh (session fixture): the helm on
PATH, or a cached build, or a build from source with Go on first use (two to three minutes,
then cached in ~/.cache/redgrid/bin). Rendered manifests are validated offline with the
`kubernetes_validate` package in strict mode (unknown fields are errors) against pinned
Kubernetes versions: the chart's floor (Chart.yaml kubeVersion) and the target version.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "redgrid"
PRODUCTION_VALUES = ROOT / "helm" / "values-production.yaml"
INSTALL_HELM = ROOT / "deploy" / "tools" / "install-helm.sh"

# Kubernetes versions the manifests are validated against: the floor declared in Chart.yaml
# (kubeVersion >=1.27) and the version we target. `helm template --kube-version` uses the target.
KUBE_MIN = "1.27.0"
KUBE_TARGET = "1.35.0"
KUBE_VERSIONS = (KUBE_MIN, KUBE_TARGET)

RELEASE = "rg"
NAMESPACE = "redgrid"
FULLNAME = "rg-redgrid"

# Kinds rendered by `helm template` (hooks and the `helm test` Pod included), per values file.
EXPECTED_KINDS = {
    "default": collections.Counter(
        {
            "ServiceAccount": 1,
            "ConfigMap": 1,
            "Secret": 2,  # the API's Secret + the migration hook's Secret
            "Service": 1,
            "Deployment": 1,
            "HorizontalPodAutoscaler": 1,
            "PodDisruptionBudget": 1,
            "Job": 1,
            "Pod": 1,  # helm test
        }
    ),
    "production": collections.Counter(
        {
            "ServiceAccount": 1,
            "ConfigMap": 1,
            "Service": 1,
            "Deployment": 1,
            "HorizontalPodAutoscaler": 1,
            "PodDisruptionBudget": 1,
            "Ingress": 1,
            "NetworkPolicy": 1,
            "PersistentVolumeClaim": 1,
            "Job": 1,
            "CronJob": 1,  # the attachment sweep: shared storage
            "Pod": 1,  # helm test
        }
    ),
}
VALUES_FILES = {"default": [], "production": ["--values", str(PRODUCTION_VALUES)]}

DOCUMENTED_ENV = {
    "REDGRID_ENV",
    "REDGRID_HOST",
    "REDGRID_PORT",
    "REDGRID_DATABASE_URL",
    "REDGRID_MIGRATION_DATABASE_URL",
    "REDGRID_REDIS_URL",
    "REDGRID_KEYCLOAK_URL",
    "REDGRID_KEYCLOAK_ISSUER",
    "REDGRID_KEYCLOAK_REALM",
    "REDGRID_KEYCLOAK_CLIENT_ID",
    "REDGRID_KEYCLOAK_CLIENT_SECRET",
    "REDGRID_LOG_LEVEL",
    "REDGRID_SHUTDOWN_GRACE_SECONDS",
    "REDGRID_ATTACHMENTS_DIR",
    "REDGRID_DATA_DIR",
    "REDGRID_JWKS_CACHE_SECONDS",
    "REDGRID_USER_STATUS_TTL_SECONDS",
}  # README.md, "Settings"
SCHEMA_ERROR = "values don't meet the specifications of the schema"


# --- helm ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def helm() -> str:
    """Path of a helm v3 binary; builds it with Go the first time (cached afterwards)."""
    result = subprocess.run(["bash", str(INSTALL_HELM)], capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"install-helm.sh failed:\n{result.stderr[-4000:]}"
    path = result.stdout.strip().splitlines()[-1]
    assert os.access(path, os.X_OK), path
    return path


def run_helm(helm: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [helm, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "HELM_CACHE_HOME": "/tmp/redgrid-helm/cache",
            "HELM_CONFIG_HOME": "/tmp/redgrid-helm/config",
            "HELM_DATA_HOME": "/tmp/redgrid-helm/data",
        },
    )
    if check:
        assert result.returncode == 0, f"helm {' '.join(args)}:\n{result.stderr}"
    return result


def template(helm: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_helm(
        helm,
        "template",
        RELEASE,
        str(CHART),
        "--namespace",
        NAMESPACE,
        "--kube-version",
        KUBE_TARGET,
        *args,
        check=check,
    )


def manifests(output: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(output) if doc]


@pytest.fixture(scope="module", params=sorted(VALUES_FILES))
def rendered(request, helm) -> tuple[str, list[dict]]:
    name = request.param
    return name, manifests(template(helm, *VALUES_FILES[name]).stdout)


def one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def hook_annotations(doc: dict) -> dict:
    return {k: v for k, v in (doc["metadata"].get("annotations") or {}).items() if k.startswith("helm.sh/")}


# --- the installer ---------------------------------------------------------------------------


def test_install_helm_is_idempotent(helm):
    result = subprocess.run(["bash", str(INSTALL_HELM)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == helm
    assert "building" not in result.stderr  # the cached build is reused, nothing is rebuilt
    version = run_helm(helm, "version", "--short").stdout
    assert version.startswith("v3."), version


# --- lint ------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", sorted(VALUES_FILES))
def test_lint_strict(helm, values):
    result = run_helm(helm, "lint", "--strict", str(CHART), "--kube-version", KUBE_TARGET, *VALUES_FILES[values])
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout, result.stdout


def test_chart_metadata():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "redgrid"
    assert chart["kubeVersion"].startswith(">=1.27")
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"image", "config", "secrets", "replicaCount"}


# --- rendering and validation ----------------------------------------------------------------


def test_expected_kinds(rendered):
    name, docs = rendered
    assert collections.Counter(d["kind"] for d in docs) == EXPECTED_KINDS[name]


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_manifests_validate_against_kubernetes_schemas(rendered, kube_version):
    name, docs = rendered
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, kube_version, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {e.message} at {list(e.path)}")
    assert not errors, f"{name} values, Kubernetes {kube_version}:\n" + "\n".join(errors)


def test_names_and_labels(rendered):
    _, docs = rendered
    for doc in docs:
        meta = doc["metadata"]
        assert len(meta["name"]) <= 63
        assert meta["labels"]["app.kubernetes.io/instance"] == RELEASE
        assert meta["labels"]["app.kubernetes.io/managed-by"] == "Helm"


def _container(docs: list[dict]) -> dict:
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    assert len(pod["containers"]) == 1
    return pod["containers"][0]


def test_deployment_probes(rendered):
    _, docs = rendered
    container = _container(docs)
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert container["args"] == ["serve"]
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["limits"]["memory"]


def test_deployment_security_context(rendered):
    _, docs = rendered
    pod = one(docs, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    sc = pod["containers"][0]["securityContext"]
    assert sc["runAsNonRoot"] is True
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccompProfile"] == {"type": "RuntimeDefault"}


def test_every_pod_is_hardened(rendered):
    """The Deployment, the migration Job, the sweep CronJob and the test Pod all meet the
    restricted PSS."""
    _, docs = rendered
    for doc in docs:
        if doc["kind"] == "Pod":
            pod = doc["spec"]
        elif doc["kind"] in ("Deployment", "Job"):
            pod = doc["spec"]["template"]["spec"]
        elif doc["kind"] == "CronJob":
            pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        else:
            continue
        assert pod["securityContext"]["runAsNonRoot"] is True, doc["kind"]
        for container in pod["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"], doc["kind"]
            assert sc["capabilities"]["drop"] == ["ALL"], doc["kind"]


def test_deployment_volumes_and_graceful_shutdown(rendered):
    _, docs = rendered
    deployment = one(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    config = one(docs, "ConfigMap")["data"]
    assert mounts["/tmp"] == "tmp"
    assert mounts[config["REDGRID_ATTACHMENTS_DIR"]] == "attachments"
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes["tmp"]
    assert "emptyDir" in volumes["attachments"] or "persistentVolumeClaim" in volumes["attachments"]
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    grace = float(config["REDGRID_SHUTDOWN_GRACE_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] > int(pre_stop[1]) + grace
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # The HPA owns the replica count.
    assert "replicas" not in deployment["spec"]


def test_environment_comes_from_configmap_and_secret(rendered):
    name, docs = rendered
    container = _container(docs)
    assert container["envFrom"] == [{"configMapRef": {"name": FULLNAME}}]
    config = one(docs, "ConfigMap")["data"]
    assert set(config) <= DOCUMENTED_ENV
    assert config["REDGRID_ENV"] == "production"
    assert config["REDGRID_PORT"] == "8000"
    env = {e["name"]: e for e in container["env"]}
    assert set(env) <= DOCUMENTED_ENV
    assert "REDGRID_MIGRATION_DATABASE_URL" not in env, "the API must not get the owner role"
    secret_name = "redgrid-secrets" if name == "production" else FULLNAME
    for var in ("REDGRID_DATABASE_URL", "REDGRID_REDIS_URL", "REDGRID_KEYCLOAK_CLIENT_SECRET"):
        assert env[var]["valueFrom"]["secretKeyRef"]["name"] == secret_name
    secrets = [d for d in docs if d["kind"] == "Secret" and not hook_annotations(d)]
    if name == "production":
        assert secrets == [], "no chart-created Secret with existingSecret"
    else:
        (secret,) = secrets
        keys = {env[v]["valueFrom"]["secretKeyRef"]["key"] for v in env if "valueFrom" in env[v]}
        assert keys == set(secret["data"])


def test_migration_job_is_a_hook(rendered):
    name, docs = rendered
    job = one(docs, "Job")
    assert hook_annotations(job) == {
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-weight": "0",
        "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
    }
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    assert container["args"] == ["migrate"]
    env = {e["name"]: e for e in container["env"]}
    assert set(env) <= DOCUMENTED_ENV
    # Hooks run before the chart's ConfigMap exists: settings are inline.
    assert "envFrom" not in container
    assert env["REDGRID_ENV"]["value"] == "production"
    ref = env["REDGRID_MIGRATION_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    if name == "production":
        assert ref["name"] == "redgrid-secrets"
    else:
        # ...and before the chart's Secret exists: a hook Secret created just before the Job.
        secret = one(docs, "Secret", ref["name"])
        hooks = hook_annotations(secret)
        assert hooks["helm.sh/hook"] == "pre-install,pre-upgrade"
        assert int(hooks["helm.sh/hook-weight"]) < int(hook_annotations(job)["helm.sh/hook-weight"])
        assert ref["key"] in secret["data"]
        for var in ("REDGRID_DATABASE_URL", "REDGRID_REDIS_URL"):
            assert env[var]["valueFrom"]["secretKeyRef"]["key"] in secret["data"]
    # The Job's pod must not be picked up by the Service.
    selector = one(docs, "Service")["spec"]["selector"]
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert not all(labels.get(k) == v for k, v in selector.items())


def test_selectors_match_the_pods(rendered):
    _, docs = rendered
    labels = one(docs, "Deployment")["spec"]["template"]["metadata"]["labels"]
    selectors = [
        one(docs, "Deployment")["spec"]["selector"]["matchLabels"],
        one(docs, "Service")["spec"]["selector"],
        one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
    ]
    for selector in selectors:
        assert selector and all(labels.get(k) == v for k, v in selector.items())
    hpa = one(docs, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": FULLNAME}
    assert one(docs, "PodDisruptionBudget")["apiVersion"] == "policy/v1"


def test_production_values(helm):
    docs = manifests(template(helm, *VALUES_FILES["production"]).stdout)
    hpa = one(docs, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 20)
    assert {m["resource"]["name"] for m in hpa["metrics"]} == {"cpu", "memory"}
    ingress = one(docs, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    policy = one(docs, "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"][0]["ports"] == [{"port": "http", "protocol": "TCP"}]
    egress_ports = {p["port"] for rule in policy["egress"] for p in rule["ports"]}
    assert {53, 5432, 6379, 8080} <= egress_ports
    pvc = one(docs, "PersistentVolumeClaim")
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]


def test_service_monitor_is_optional(helm):
    docs = manifests(template(helm, "--set", "metrics.serviceMonitor.enabled=true").stdout)
    monitor = one(docs, "ServiceMonitor")
    selector = monitor["spec"]["selector"]["matchLabels"]
    service_labels = one(docs, "Service")["metadata"]["labels"]
    assert all(service_labels.get(k) == v for k, v in selector.items())


# Case photos in an S3 bucket, with its keys.
S3 = (
    "--set",
    "config.s3.bucket=case-photos",
    "--set",
    "secrets.s3AccessKeyId=AKIDEXAMPLE",
    "--set",
    "secrets.s3SecretAccessKey=s3cr3t",
)


def test_s3_storage_for_case_photos(helm):
    docs = manifests(template(helm, *S3, "--set", "config.s3.endpointUrl=https://minio.example.org").stdout)
    config = one(docs, "ConfigMap")["data"]
    assert (config["REDGRID_S3_BUCKET"], config["REDGRID_S3_ENDPOINT_URL"]) == (
        "case-photos",
        "https://minio.example.org",
    )
    env = {e["name"]: e for e in one(docs, "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["REDGRID_S3_SECRET_ACCESS_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "s3-secret-access-key"
    secret = next(d for d in docs if d["kind"] == "Secret" and d["metadata"]["name"] == FULLNAME)
    assert {"s3-access-key-id", "s3-secret-access-key"} <= set(secret["data"])
    plain = manifests(template(helm).stdout)
    assert "REDGRID_S3_BUCKET" not in one(plain, "ConfigMap")["data"]


def test_attachment_sweep_runs_where_the_photos_are_shared(helm):
    """Production (a shared volume): the CronJob mounts the same claim as the Deployment. S3:
    it gets the bucket's keys and no volume. An emptyDir is one pod's own: no CronJob."""
    docs = manifests(template(helm, *VALUES_FILES["production"]).stdout)
    cron = one(docs, "CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"] == ["sweep-attachments", "--older-than-hours", "24"]
    config = one(docs, "ConfigMap")["data"]
    assert {m["mountPath"]: m["name"] for m in container["volumeMounts"]}[
        config["REDGRID_ATTACHMENTS_DIR"]
    ] == "attachments"
    claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in pod["volumes"]}
    server = one(docs, "Deployment")["spec"]["template"]["spec"]
    assert (
        claims["attachments"]
        == {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in server["volumes"]}["attachments"]
    )
    assert {e["name"] for e in container["env"]} >= {"REDGRID_DATABASE_URL", "REDGRID_REDIS_URL"}
    assert "maintenance" in one(docs, "NetworkPolicy")["spec"]["podSelector"]["matchExpressions"][0]["values"]

    s3 = manifests(template(helm, *S3).stdout)
    container = one(s3, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "REDGRID_S3_SECRET_ACCESS_KEY" in {e["name"] for e in container["env"]}
    assert [m["name"] for m in container["volumeMounts"]] == ["tmp"]
    assert not [d for d in manifests(template(helm).stdout) if d["kind"] == "CronJob"]
    # A ReadWriteOnce volume mounts on the server's node only: no CronJob to sit Pending.
    single = manifests(
        template(
            helm,
            "--set",
            "persistence.enabled=true",
            "--set",
            "persistence.accessModes={ReadWriteOnce}",
            "--set",
            "autoscaling.enabled=false",
            "--set",
            "replicaCount=1",
        ).stdout
    )
    assert not [d for d in single if d["kind"] == "CronJob"]


def test_with_s3_the_attachments_volume_is_not_used(helm, tmp_path):
    """The photos are in the bucket: persistence left on (a ReadWriteOnce default, two replicas)
    neither claims a volume nor refuses to render, the sweep reads the bucket without waiting
    for the volume, and the notes do not warn of an emptyDir."""
    docs = manifests(
        template(
            helm,
            *S3,
            "--set",
            "persistence.enabled=true",
            "--set",
            "persistence.accessModes={ReadWriteOnce}",
            "--set",
            "autoscaling.enabled=false",
            "--set",
            "replicaCount=2",
        ).stdout
    )
    assert not [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    volumes = {v["name"]: v for v in one(docs, "Deployment")["spec"]["template"]["spec"]["volumes"]}
    assert "persistentVolumeClaim" not in volumes["attachments"]
    sweep = one(docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert [v["name"] for v in sweep["volumes"]] == ["tmp"]
    assert "persistence is disabled" not in _notes(helm, tmp_path, *S3)


def test_chart_created_secret_without_migrations(helm):
    docs = manifests(template(helm, "--set", "migrations.enabled=false").stdout)
    assert not [d for d in docs if d["kind"] == "Job"]
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Secret"] == [FULLNAME]


# --- bad values are rejected at template time ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--set", "replicaCount=three"],
        ["--set", "replicas=3"],  # unknown top-level key (typo of replicaCount)
        ["--set", "service.port=-1"],
        ["--set", "config.port=80"],  # privileged port for a non-root container
        ["--set", "config.env=staging"],
        ["--set", "image.pullPolicy=Sometimes"],
        ["--set", "securityContext.runAsUser=0"],
        ["--set", "autoscaling.maxReplicas=0"],
        ["--set", "config.keycloak.url=keycloak:8080"],
        ["--set", "secrets.databaseUrl=mysql://app@db/redgrid"],
        ["--set", "ingress.nginx.timeoutSeconds=30"],
        ["--set", "secrets.bogus=x"],  # unknown nested key
        ["--set", "config.s3.bucket=Case_Photos"],  # not an S3 bucket name
        ["--set", "config.s3.endpointUrl=minio:9000"],  # no scheme
        ["--set", "attachmentSweep.olderThanHours=0.5"],  # the CLI refuses less than an hour
    ],
    ids=lambda args: args[-1],
)
def test_invalid_values_fail_schema_validation(helm, args):
    result = template(helm, *args, check=False)
    assert result.returncode != 0, f"helm template accepted {args}"
    assert SCHEMA_ERROR in result.stderr, result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "terminationGracePeriodSeconds=25"], "terminationGracePeriodSeconds"),
        (["--set", "autoscaling.minReplicas=5", "--set", "autoscaling.maxReplicas=3"], "maxReplicas"),
        (["--set", "podDisruptionBudget.minAvailable=1"], "not both"),
        (["--set", "persistence.enabled=true", "--set", "persistence.accessModes={ReadWriteOnce}"], "ReadWriteMany"),
    ],
)
def test_inconsistent_values_fail_rendering(helm, args, message):
    result = template(helm, *args, check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_existing_secret_lifts_the_url_requirement(helm):
    result = template(helm, "--set", "secrets.existingSecret=mine", "--set", "secrets.databaseUrl=")
    docs = manifests(result.stdout)
    assert not [d for d in docs if d["kind"] == "Secret"]
    result = template(helm, "--set", "secrets.databaseUrl=", check=False)
    assert result.returncode != 0 and SCHEMA_ERROR in result.stderr


# --- other combinations ----------------------------------------------------------------------


def test_other_features_render_valid_manifests(helm):
    """Ingress without TLS, NetworkPolicy with its defaults, an existing claim, memory HPA off,
    fixed replicas: every manifest still validates."""
    args = [
        "--set",
        "ingress.enabled=true",
        "--set",
        "networkPolicy.enabled=true",
        "--set",
        "persistence.enabled=true",
        "--set",
        "persistence.existingClaim=shared-files",
        "--set",
        "autoscaling.enabled=false",
        "--set",
        "replicaCount=4",
        "--set",
        "config.keycloak.issuer=https://id.example.org/realms/redgrid",
        "--set",
        "image.digest=sha256:" + "a" * 64,
    ]
    docs = manifests(template(helm, *args).stdout)
    for doc in docs:
        for version in KUBE_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    kinds = {d["kind"] for d in docs}
    assert "HorizontalPodAutoscaler" not in kinds and "PersistentVolumeClaim" not in kinds
    deployment = one(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 4
    pod = deployment["spec"]["template"]["spec"]
    assert {"name": "attachments", "persistentVolumeClaim": {"claimName": "shared-files"}} in pod["volumes"]
    assert pod["containers"][0]["image"].endswith("@sha256:" + "a" * 64)
    ingress = one(docs, "Ingress")
    assert "tls" not in ingress["spec"]
    assert "nginx.ingress.kubernetes.io/ssl-redirect" not in ingress["metadata"]["annotations"]
    assert one(docs, "ConfigMap")["data"]["REDGRID_KEYCLOAK_ISSUER"] == "https://id.example.org/realms/redgrid"


def _notes(helm: str, tmp_path: Path, *args: str) -> str:
    """NOTES.txt as `helm install` would print it (rendered through a preview template,
    since `helm template` does not print notes and `helm install --dry-run` needs a cluster)."""
    chart = tmp_path / "redgrid"
    shutil.copytree(CHART, chart)
    (chart / "templates" / "zz-notes-preview.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-preview\ndata:\n"
        '  notes: {{ include (print $.Template.BasePath "/NOTES.txt") . | quote }}\n'
    )
    result = run_helm(
        helm,
        "template",
        RELEASE,
        str(chart),
        "--namespace",
        NAMESPACE,
        "--show-only",
        "templates/zz-notes-preview.yaml",
        *args,
    )
    return yaml.safe_load(result.stdout)["data"]["notes"]


def test_notes_warn_about_placeholders_and_ephemeral_attachments(helm, tmp_path):
    notes = _notes(helm, tmp_path)
    assert "placeholder credentials" in notes
    assert "persistence is disabled" in notes
    assert "port-forward service/rg-redgrid" in notes


def test_notes_for_production_have_no_warnings(helm, tmp_path):
    notes = _notes(helm, tmp_path, *VALUES_FILES["production"])
    assert "WARNING" not in notes
    assert "https://redgrid.example.org/graphql" in notes
