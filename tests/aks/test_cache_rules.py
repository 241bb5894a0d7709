"""ACR artifact cache rules of clusters/<env>/cluster.yaml: plan, apply and diff (docs/bootstrap-decisions.md#9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from platformctl.aks import operations
from platformctl.aks.invariants import check_cluster
from platformctl.aks.model import build_cluster_request
from platformctl.cli import main
from platformctl.environments import Environment, get_environment
from platformctl.errors import PlatformError

CLUSTER_FILE = "clusters/dev/cluster.yaml"
REGISTRY = (
    "/subscriptions/1a2b3c4d-0000-4000-8000-00000000a0c0/resourceGroups/rg-dataplatform-shared"
    "/providers/Microsoft.ContainerRegistry/registries/acrdataplatform"
)
RULES = [
    {"name": "redis", "source": "public.ecr.aws/docker/library/redis", "target": "docker/library/redis"},
    {"name": "busybox", "source": "docker.io/library/busybox", "target": "mirror/library/busybox"},
]


def with_registry(env: Environment, **registry: Any) -> Environment:
    """The environment after its cluster.yaml's containerRegistry gained `registry`."""
    document = yaml.safe_load(env.cluster_file.read_text(encoding="utf-8"))
    document["spec"]["containerRegistry"].update(registry)
    env.cluster_file.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return get_environment(env.name, env.root)


@pytest.fixture
def cached_env(recorded_env: Environment) -> Environment:
    return with_registry(recorded_env, resourceId=REGISTRY, cacheRules=RULES)


@pytest.mark.parametrize("env_name", ["dev", "staging", "prod"])
def test_plan_puts_every_declared_cache_rule(env_name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aks", "plan", env_name]) == 0
    out = capsys.readouterr().out
    registry = get_environment(env_name).cluster["spec"]["containerRegistry"]
    for rule in registry["cacheRules"]:
        target = f"PUT {registry['resourceId']}/cacheRules/{rule['name']}"
        assert target in out.splitlines()
        body = out.split(target + "\n", 1)[1].split("\nPUT ", 1)[0]
        assert json.loads(body) == {
            "properties": {"sourceRepository": rule["source"], "targetRepository": rule["target"]}
        }


def test_environments_sharing_a_registry_declare_the_same_rules() -> None:
    """One registry, one set of rules: otherwise each env's `aks apply` would undo the other's."""
    registries = [get_environment(env).cluster["spec"]["containerRegistry"] for env in ("dev", "staging", "prod")]
    assert len({r["loginServer"] for r in registries}) == 1
    assert all(r["cacheRules"] == registries[0]["cacheRules"] for r in registries)
    assert all(r["resourceId"] == registries[0]["resourceId"] for r in registries)


def test_apply_creates_the_cache_rules_after_the_cluster(
    arm_server: Any, arm_client: Any, cached_env: Environment
) -> None:
    arm_server.load("apply-created")
    arm_server.load("cache-rules-apply")
    request = build_cluster_request(cached_env)
    lines: list[str] = []
    operations.apply(arm_client, request, CLUSTER_FILE, progress=lines.append)
    assert arm_server.unused() == [] and arm_server.unexpected == []
    assert lines[-2:] == ["PUT cacheRules/redis: done", "PUT cacheRules/busybox: done"]
    for rule in RULES:
        (sent,) = arm_server.sent("PUT", f"/cacheRules/{rule['name']}")
        assert sent.body == request.bodies()[f"PUT {REGISTRY}/cacheRules/{rule['name']}"]
        assert sent.query["api-version"] == ["2023-07-01"]


def test_diff_reports_a_drifted_and_a_missing_cache_rule(
    arm_server: Any, arm_client: Any, cached_env: Environment
) -> None:
    arm_server.load("diff-in-sync")
    arm_server.load("cache-rules-diff")
    drifts = operations.diff(arm_client, build_cluster_request(cached_env), CLUSTER_FILE)
    assert {(d.resource, d.field): (d.desired, d.live) for d in drifts} == {
        ("cacheRule[redis]", "properties.targetRepository"): ("docker/library/redis", "library/redis"),
        ("cacheRule[busybox]", "(resource)"): ("<present>", "<absent>"),
    }


def test_rules_must_target_the_login_servers_registry_once_each(recorded_env: Environment) -> None:
    other = REGISTRY.replace("/registries/acrdataplatform", "/registries/acrsomeoneelse")
    duplicate = [*RULES, {**RULES[0], "name": "redis-again"}]
    env = with_registry(recorded_env, resourceId=other, cacheRules=duplicate)
    messages = sorted(finding.message for finding in check_cluster(env))
    assert messages == [
        "containerRegistry.resourceId names another registry than acrdataplatform.azurecr.io",
        "two cache rules share the target 'docker/library/redis'",
    ]


def test_cache_rules_need_the_registry_id(recorded_env: Environment) -> None:
    with pytest.raises(PlatformError, match="resourceId"):
        with_registry(recorded_env, cacheRules=RULES).cluster  # noqa: B018 - loading validates the schema
