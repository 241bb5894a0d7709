"""The real repository: the admission gate reads its namespaces and initiative, and its in-repo pods pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.admission.azure.initiative import initiative_of
from platformctl.admission.gate import check_admission, judge
from platformctl.admission.namespaces import namespace_labels, parse_version, pod_security
from platformctl.admission.pods import pod_templates
from platformctl.environments import get_environment, list_environments
from platformctl.render import render_environment

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("env", [env.name for env in list_environments()])
def test_in_repo_pods_are_judged_and_admitted(env: str, repo_root: Path, mirror: Path, tmp_path: Path) -> None:
    environment = get_environment(env, repo_root)
    rendered = render_environment(environment, tmp_path / env, root=repo_root, mirror=mirror, charts=tmp_path / "none")
    assert [f.one_line() for f in check_admission(rendered, environment) if f.severity == "error"] == []

    labels = namespace_labels(rendered.applications)
    security = pod_security(labels.get("data-apps"), parse_version(rendered.kubernetes_version))
    assert security.level == "restricted"  # from the in-repo namespaces chart
    api = rendered.application("exposition-api")
    assert api is not None
    pods = list(pod_templates(api.objects, api.namespace))
    assert {(p.kind, p.namespace, p.hook) for p in pods} >= {("Deployment", "data-apps", "")}
    assert all(p.namespace == "data-apps" for p in pods)

    # The same pod without its security contexts is rejected by both admission controllers.
    bare = {"kind": "Pod", "metadata": {"name": "bare"}, "spec": {"containers": [{"name": "app"}]}}
    rules = {
        rejection.check_id
        for rejection in judge(next(pod_templates([bare], "data-apps")), security, initiative_of(environment.cluster))
    }
    assert {"PSS_runAsNonRoot", "PSS_seccompProfile_restricted", "AZP_AllowedUsersGroups"} <= rules
