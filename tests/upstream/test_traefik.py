"""traefik 37.3.0 with platform/ingress values (docs/bootstrap-decisions.md#3)."""

from __future__ import annotations

from typing import Any

FIXTURE = "traefik"
COMPONENT = "ingress"


def pod(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    (deployment,) = (obj for obj in objects if obj["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]


def test_traefik_is_admitted_by_a_restricted_namespace(render: Any, env: str, restricted_problems: Any) -> None:
    spec = pod(render(FIXTURE, COMPONENT, env))
    assert restricted_problems(spec) == []
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = spec["containers"]
    assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert min(port["containerPort"] for port in container["ports"]) >= 1024  # no NET_BIND_SERVICE needed


def test_seccomp_is_the_only_gap_of_the_chart_defaults(render: Any, restricted_problems: Any) -> None:
    without = "podSecurityContext: {seccompProfile: null}\nsecurityContext: {seccompProfile: null}\n"
    spec = pod(render(FIXTURE, COMPONENT, "dev", without))
    assert restricted_problems(spec) == ["container ingress-traefik: seccompProfile RuntimeDefault or Localhost"]
