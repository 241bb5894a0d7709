"""Contract: the user-code image can load the Dagster instance each env deploys.

Every run pod (K8sRunLauncher, `includeConfigInLaunchedRuns`) runs the code location's image, built from
requirements/pipelines.lock only, and loads the instance ConfigMap (dagster.yaml) the dagster chart renders
from platform/dagster/values.yaml + values-<env>.yaml. So every class that file names (run launcher,
storages, scheduler, run coordinator, compute logs) must import in this venv, come from a distribution the
lock pins, and accept its rendered config. The chart's ConfigMap logic is reproduced offline by the fixture
chart tests/fixtures/dagster-instance (the dagster chart is not in the offline mirror).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FIXTURE_CHART = Path(__file__).resolve().parent / "fixtures" / "dagster-instance"
ENVS = ("dev", "staging", "prod")  # conftest.ENVS (test modules do not import each other)
LOCK = REPO / "requirements" / "pipelines.lock"


def rendered_instance(helm_template, env: str, *extra_values: Path) -> dict[str, Any]:
    """dagster.yaml of `env` as the dagster chart writes it (fixture chart + platform/dagster values)."""
    values = [REPO / "platform/dagster/values.yaml", REPO / f"platform/dagster/values-{env}.yaml", *extra_values]
    objects = helm_template(FIXTURE_CHART, *values, namespace="dagster")
    config_map = next(doc for doc in objects if doc.get("kind") == "ConfigMap")
    return yaml.safe_load(config_map["data"]["dagster.yaml"])


def locked_distributions() -> set[str]:
    names = set()
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            names.add(re.sub(r"[-_.]+", "-", line.split("==")[0]).lower())
    return names


def _env_sources(value: Any) -> set[str]:
    """Names of the `{env: NAME}` sources in a config (set to a placeholder when validating)."""
    if isinstance(value, dict):
        if set(value) == {"env"}:
            return {str(value["env"])}
        return set().union(*(_env_sources(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_env_sources(v) for v in value)) if value else set()
    return set()


def instance_problems(instance: dict[str, Any], locked: set[str]) -> list[str]:
    """One message per class of dagster.yaml that this venv cannot load as the lock pins it."""
    from dagster._config import process_config
    from dagster._serdes import ConfigurableClass

    problems = []
    distributions = importlib.metadata.packages_distributions()
    for section, spec in sorted(instance.items()):
        if not isinstance(spec, dict) or "module" not in spec:
            continue
        where = f"{section} ({spec['module']}.{spec['class']})"
        try:
            klass = getattr(importlib.import_module(spec["module"]), spec["class"])
        except (ImportError, AttributeError) as error:
            problems.append(f"{where}: cannot be imported ({error}); add its package to requirements/pipelines.in")
            continue
        top = spec["module"].split(".")[0]
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(top, [])}
        if not dists & locked:
            problems.append(f"{where}: its distribution {sorted(dists)} is not pinned in {LOCK.name}")
        if not (isinstance(klass, type) and issubclass(klass, ConfigurableClass)):
            problems.append(f"{where}: not a Dagster ConfigurableClass")
            continue
        names = _env_sources(spec.get("config"))
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update({name: "placeholder" for name in names})
        try:
            result = process_config(klass.config_type(), spec.get("config") or {})
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        if not result.success:
            messages = "; ".join(error.message for error in result.errors or [])
            problems.append(f"{where}: rendered config rejected: {messages}")
    return problems


@pytest.mark.parametrize("env", ENVS)
def test_instance_of_each_env_loads_in_the_user_code_venv(helm_template, env: str, tmp_path: Path) -> None:
    from dagster._core.instance.config import dagster_instance_config

    instance = rendered_instance(helm_template, env)
    assert instance["run_launcher"]["class"] == "K8sRunLauncher"
    assert {instance[s]["module"].split(".")[0] for s in ("run_storage", "event_log_storage", "schedule_storage")} == {
        "dagster_postgres"
    }
    assert instance_problems(instance, locked_distributions()) == []
    # The DagsterRunFailed alert counts failed run Jobs: a failed run must fail its pod (exit 0 otherwise).
    assert instance["run_launcher"]["config"].get("fail_pod_on_run_failure") is True, (
        f"{env}: set runLauncher.config.k8sRunLauncher.failPodOnRunFailure: true in platform/dagster values"
    )
    # Runs of the reference pipeline never overlap: the run coordinator limits the job's tag to one run.
    from reference_pipeline.definitions import EXCLUSIVE_TAG

    limits = instance["run_coordinator"]["config"].get("tag_concurrency_limits", [])
    ((key, value),) = EXCLUSIVE_TAG.items()
    assert {"key": key, "value": value, "limit": 1} in limits, f"{env}: no run concurrency limit for {key}={value}"
    # The whole file against Dagster's instance schema, as `DagsterInstance.get()` reads it in a run pod.
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(instance), encoding="utf-8")
    os.environ.setdefault("DAGSTER_PG_PASSWORD", "placeholder")
    dagster_instance_config(str(tmp_path))


def test_a_class_missing_from_the_lock_is_named(helm_template) -> None:
    instance = rendered_instance(helm_template, "dev")
    locked = locked_distributions() - {"dagster-k8s"}
    problems = instance_problems(instance, locked)
    assert problems == [
        "run_launcher (dagster_k8s.K8sRunLauncher): its distribution ['dagster-k8s'] is not pinned in pipelines.lock"
    ]
    azure = {"module": "dagster_azure.blob.compute_log_manager", "class": "AzureBlobComputeLogManager"}
    problems = instance_problems({**instance, "compute_logs": azure}, locked)
    assert any("compute_logs (dagster_azure" in p and "cannot be imported" in p for p in problems)


def test_a_config_the_launcher_rejects_is_named(helm_template, tmp_path: Path) -> None:
    values = tmp_path / "values-broken.yaml"
    values.write_text("runLauncher:\n  config:\n    k8sRunLauncher:\n      runK8sConfig:\n        containerConfg: {}\n")
    problems = instance_problems(rendered_instance(helm_template, "prod", values), locked_distributions())
    assert len(problems) == 1 and problems[0].startswith("run_launcher (dagster_k8s.K8sRunLauncher): rendered config")
    assert "container_confg" in problems[0]
