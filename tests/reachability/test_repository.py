"""The platform's own flows: clean on the repository, and each NetworkPolicy added for a flow of issue 13
(Grafana and Dagster -> PostgreSQL, cert-manager -> public DNS, Prometheus -> node addresses) and for the
verification hooks of issue 16 (-> Prometheus) is needed:
without it the gate reports exactly that flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.environments import get_environment
from platformctl.reachability import check_environment
from platformctl.render import RenderedApplication, RenderedEnvironment, render_environment


@pytest.fixture(scope="module")
def rendered(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, RenderedEnvironment]:
    out = tmp_path_factory.mktemp("rendered")
    cache = tmp_path_factory.mktemp("render-cache")
    return {
        env: render_environment(env, out / env, root=repo_root, charts=out / "no-chart-cache", render_cache=cache)
        for env in ("dev", "prod")
    }


def _without(rendered: RenderedEnvironment, namespace: str, policy: str) -> tuple[RenderedApplication, list]:
    """Drop one NetworkPolicy of the namespaces chart; returns the Application and its original objects."""
    app = next(a for a in rendered.applications if a.name == "namespaces")
    original = app.objects
    app.objects = [
        obj for obj in original
        if (obj.get("kind"), obj["metadata"].get("namespace"), obj["metadata"]["name"])
        != ("NetworkPolicy", namespace, policy)
    ]  # fmt: skip
    assert len(app.objects) == len(original) - 1, f"no NetworkPolicy {namespace}/{policy} rendered"
    return app, original


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_platform_flows_are_allowed(rendered: dict[str, RenderedEnvironment], repo_root: Path, env: str) -> None:
    findings = check_environment(rendered[env], get_environment(env, repo_root).cluster, repo_root)
    assert findings == [], [f.one_line() for f in findings]


@pytest.mark.parametrize(
    ("env", "namespace", "policy", "flows"),
    [
        ("prod", "monitoring", "allow-egress-postgresql",
         ["monitoring/grafana -> private endpoint postgresql (10.225.2.0/28):5432/TCP"]),
        ("dev", "dagster", "allow-egress-postgresql",
         ["dagster/dagster -> private endpoint postgresql (10.225.0.0/28):5432/TCP"]),
        ("dev", "cert-manager", "allow-egress-public-dns",
         ["cert-manager/cert-manager -> public addresses:53/UDP,53/TCP"]),
        ("dev", "monitoring", "allow-egress-node-metrics",
         ["monitoring/prometheus -> nodes:10250/TCP"]),
        # The data apps' verification hooks judge their load part from Prometheus (issue 16).
        ("dev", "monitoring", "allow-ingress-verification-hooks",
         ["data-apps/enrichment-api-verify -> monitoring/prometheus:9090/TCP"]),
    ],
)  # fmt: skip
def test_each_added_policy_is_what_allows_its_flow(
    rendered: dict[str, RenderedEnvironment], repo_root: Path, env: str, namespace: str, policy: str, flows: list[str]
) -> None:
    app, original = _without(rendered[env], namespace, policy)
    try:
        findings = check_environment(rendered[env], get_environment(env, repo_root).cluster, repo_root)
    finally:
        app.objects = original
    assert sorted(f.name for f in findings) == flows, [f.one_line() for f in findings]
