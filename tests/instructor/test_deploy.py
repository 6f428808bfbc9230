"""Deployment on paper (deploy/, docs/jupyterhub.md): the Zero to JupyterHub values, the Kubernetes manifests and
the single-user image keep the promises the documentation makes, and agree with each other and with Binder.

No helm here (CI's `deploy` job runs `helm template` against the chart's schema); these tests parse the files,
refuse duplicate keys (YAML would silently keep the last), and check every value the docs name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOC = REPO / "docs" / "jupyterhub.md"


class StrictLoader(yaml.SafeLoader):
    """YAML that refuses a key given twice in one mapping."""


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    if twice:
        raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {twice}", node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load(path: Path) -> list:
    return list(yaml.load_all(path.read_text(), Loader=StrictLoader))


def dig(data: dict, dotted: str):
    """``singleuser.image.name`` in the values; a KeyError naming the missing part if it is not there."""
    node = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"{dotted}: no {part!r}")
        node = node[part]
    return node


@pytest.fixture(scope="module")
def values() -> dict:
    [data] = load(DEPLOY / "z2jh" / "config.yaml")
    return data


def documented_values() -> list[str]:
    """The Helm values the docs' table promises (its rows' first column)."""
    text = DOC.read_text()
    table = text[text.index("| value | what it does |"):]
    return re.findall(r"^\| `([\w.-]+)` \|", table.split("\n\n")[0], flags=re.MULTILINE)


def manifests() -> dict[tuple[str, str], dict]:
    found = {}
    for path in sorted((DEPLOY / "z2jh").glob("*.yaml")):
        if path.name == "config.yaml":
            continue
        for doc in load(path):
            found[(doc["kind"], doc["metadata"]["name"])] = doc
    return found


def test_the_strict_loader_refuses_a_key_given_twice():
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate keys"):
        yaml.load("hub:\n  config: {}\n  config: {}\n", Loader=StrictLoader)


def test_every_value_the_docs_promise_is_in_the_helm_values(values):
    promised = documented_values()
    assert len(promised) >= 12, promised
    missing = []
    for key in promised:
        try:
            dig(values, key)
        except KeyError as exc:
            missing.append(str(exc))
    assert not missing, missing


def test_students_land_in_jupyterlab_on_their_own_course_with_tito(values):
    single = values["singleuser"]
    assert single["defaultUrl"] == "/lab" and single["cmd"] == "jupyterhub-singleuser"
    assert single["extraEnv"]["TITO_PROJECT"] == single["storage"]["homeMountPath"] + "/course"
    hook = single["lifecycleHooks"]["postStart"]["exec"]["command"]
    dockerfile = (DEPLOY / "image" / "Dockerfile").read_text()
    assert f"COPY deploy/image/{Path(hook[0]).name} {hook[0]}" in dockerfile
    script = (DEPLOY / "image" / Path(hook[0]).name).read_text()
    assert script.startswith("#!/bin/sh") and "/srv/course" in script and 'if [ ! -e "${course}" ]' in script


def test_the_exchange_is_one_shared_volume_that_nbgrader_finds(values):
    storage = values["singleuser"]["storage"]
    [volume] = storage["extraVolumes"]
    [mount] = storage["extraVolumeMounts"]
    assert mount["name"] == volume["name"]
    claim = volume["persistentVolumeClaim"]["claimName"]
    pvc = manifests()[("PersistentVolumeClaim", claim)]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]  # every student's server writes it at once
    config = values["singleuser"]["extraFiles"]["nbgrader-config"]
    assert config["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    compile(config["stringData"], "nbgrader_config.py", "exec")
    assert f'c.Exchange.root = "{mount["mountPath"]}"' in config["stringData"]
    assert 'c.CourseDirectory.course_id = "tinytorch"' in config["stringData"]  # tito's course id
    job = manifests()[("Job", "tito-exchange-permissions")]
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert f"chmod 1777 {mount['mountPath']}" in " ".join(container["command"])


def test_each_student_gets_a_user_id_of_their_own(values):
    code = values["hub"]["extraConfig"]["tito-per-user-uid"]
    compile(code, "extraConfig", "exec")
    assert "c.KubeSpawner.uid = lambda spawner:" in code and "spawner.user.id" in code
    grading = manifests()[("Deployment", "tito-grading")]
    instructor_uid = grading["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
    first_student_uid = int(re.search(r"lambda spawner: (\d+) \+", code).group(1)) + 1
    assert instructor_uid < first_student_uid


def test_the_grading_service_is_the_instructors_alone(values):
    service = values["hub"]["services"]["grading"]
    deployment = manifests()[("Deployment", "tito-grading")]
    k8s_service = manifests()[("Service", "tito-grading")]
    host, port = re.match(r"http://([\w-]+):(\d+)$", service["url"]).groups()
    assert host == k8s_service["metadata"]["name"] and int(port) == k8s_service["spec"]["ports"][0]["port"]
    env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"] == "grading"
    assert env["JUPYTERHUB_API_TOKEN"] == service["apiToken"]
    role = values["hub"]["loadRoles"]["instructor"]
    assert "access:services!service=grading" in role["scopes"] and role["groups"] == ["instructors"]
    assert "instructors" in values["hub"]["config"]["JupyterHub"]["load_groups"]
    mounts = {m["mountPath"] for m in deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]}
    assert values["singleuser"]["storage"]["extraVolumeMounts"][0]["mountPath"] in mounts


def test_the_image_is_built_with_binders_recipe():
    dockerfile = (DEPLOY / "image" / "Dockerfile").read_text()
    python = (REPO / "binder" / "runtime.txt").read_text().strip()  # python-3.11
    assert re.search(rf"^FROM \S+:{re.escape(python)}$", dockerfile, flags=re.MULTILINE), python
    for recipe in ("binder/apt.txt", "binder/requirements.txt", "bash binder/postBuild"):
        assert recipe in dockerfile, recipe
    # The Hub's chart and the image's single-user server speak the same JupyterHub major version.
    chart = (DEPLOY / "z2jh" / "chart-version").read_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", chart)
    assert chart.startswith("4.") and '"jupyterhub>=5,<6"' in dockerfile
    # postBuild removes nbgrader; students need its exchange commands on the Hub.
    assert dockerfile.index("bash binder/postBuild") < dockerfile.index('pip install --no-cache-dir "nbgrader')
    ignored = [line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert not {".git", "*", "**"} & set(ignored), ignored  # postBuild needs the repository's .git


def test_the_manifests_are_in_the_course_namespace():
    for (kind, name), doc in manifests().items():
        assert doc["metadata"]["namespace"] == "tinytorch", (kind, name)
        assert doc["apiVersion"], (kind, name)


def test_the_dask_gateway_is_a_hub_service_that_the_grading_service_may_use(values):
    [gateway] = load(DEPLOY / "dask-gateway" / "values.yaml")
    service = values["hub"]["services"]["dask-gateway"]
    assert dig(gateway, "gateway.auth.type") == "jupyterhub"
    assert dig(gateway, "gateway.auth.jupyterhub.apiToken") == service["apiToken"]
    assert service["apiToken"] != values["hub"]["services"]["grading"]["apiToken"]  # one token per service
    assert dig(gateway, "gateway.prefix") == "/services/dask-gateway"
    assert dig(gateway, "gateway.backend.image.name") == dig(values, "singleuser.image.name")
    assert dig(gateway, "gateway.backend.worker.threads") == 1
    role = values["hub"]["loadRoles"]["grading-gateway"]
    assert role["services"] == ["grading"] and role["scopes"] == ["access:services!service=dask-gateway"]
    deployment = manifests()[("Deployment", "tito-grading")]
    env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub"
    assert env["DASK_GATEWAY__ADDRESS"].endswith(dig(gateway, "gateway.prefix"))
