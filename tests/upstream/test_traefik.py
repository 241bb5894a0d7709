"""traefik 37.3.0 with platform/ingress values (docs/bootstrap-decisions.md#3)."""

from __future__ import annotations

from typing import Any

FIXTURE = "traefik"
COMPONENT = "ingress"


def pod(objects: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    (deployment,) = (obj for obj in objects if obj["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]


def test_traefik_is_admitted_by_a_restricted_namespace(render: Any, env: str, rejections: Any) -> None:
    objects = render(FIXTURE, COMPONENT, env)
    spec = pod(objects)
    assert rejections(objects, env, "ingress") == {}
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = spec["containers"]
    assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert min(port["containerPort"] for port in container["ports"]) >= 1024  # no NET_BIND_SERVICE needed


def test_the_chart_defaults_lack_seccomp_and_the_initiatives_groups(render: Any, rejections: Any) -> None:
    defaults = (
        "podSecurityContext: {seccompProfile: null, fsGroup: null, supplementalGroups: null}\n"
        "securityContext: {seccompProfile: null}\n"
    )
    found = rejections(render(FIXTURE, COMPONENT, "dev", defaults), "dev", "ingress")
    assert [problem.split(":")[0] for problem in found["Deployment/ingress-traefik"]] == [
        "PSS_seccompProfile_restricted",
        "AZP_AllowedUsersGroups",
        "AZP_AllowedSeccompProfiles",
    ]
