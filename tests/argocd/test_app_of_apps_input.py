"""Bad input to the app-of-apps chart fails `helm template` with a message naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.errors import PlatformError


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # A typo in a component key is rejected by values.schema.json.
        ("components:\n  grafana:\n    wvae: 3\n", "wvae"),
        # A typo in a top-level key too.
        ("componets: {}\n", "componets"),
        # A chart range instead of an exact version.
        ("components:\n  grafana:\n    chart: {version: '~12.11'}\n", "version"),
        # A project that does not exist.
        ("components:\n  grafana:\n    project: default\n", "project"),
    ],
)
def test_schema_rejects_bad_platform_yaml(render_apps: Any, overrides: str, message: str) -> None:
    with pytest.raises(PlatformError, match=r"values don't meet the specifications of the schema") as error:
        render_apps("dev", overrides)
    assert message in str(error.value)


def test_missing_chart_version_names_component_and_file(render_apps: Any) -> None:
    new_component = """
components:
  superset:
    enabled: true
    project: platform
    namespace: datahub
    wave: 2
    chart: {repoURL: https://apache.github.io/superset, name: superset}
    values: platform/superset
    owner: data-governance
    dataClassification: internal
"""
    with pytest.raises(PlatformError, match=r"component superset: chart.version is required.*clusters/dev/platform"):
        render_apps("dev", new_component)


@pytest.mark.parametrize(
    ("env", "override", "error"),
    [
        pytest.param("dev", "environment: null\n", r"environment", id="missing-environment"),
        pytest.param(
            "dev",
            "components:\n  datahub:\n    wave: -9\n",
            r"component datahub \(wave -9\) dependsOn datahub-prerequisites",
            id="wave-lower-than-a-dependency",
        ),
        pytest.param(
            "dev",
            "components:\n  datahub-prerequisites:\n    enabled: false\n",
            r"dependsOn \"datahub-prerequisites\", which is disabled",
            id="disabled-dependency",
        ),
        pytest.param(
            "dev",
            "components:\n  grafana:\n    path: platform/grafana\n",
            r"component grafana: set either chart .* or path",
            id="chart-and-path-together",
        ),
        pytest.param("prod", "repo:\n  targetRevision: main\n", r"must be a release tag", id="prod-refuses-a-branch"),
        pytest.param("dev", "sync:\n  retry:\n    limit: 0\n", r"sync.retry.limit", id="retry-limit-0-never-retries"),
    ],
)
def test_invalid_platform_yaml_fails_naming_the_problem(render_apps: Any, env: str, override: str, error: str) -> None:
    with pytest.raises(PlatformError, match=error):
        render_apps(env, override)


def test_disabling_a_component_removes_its_application_and_project_access(render_apps: Any) -> None:
    rendered = render_apps("dev", "components:\n  dagster:\n    enabled: false\n")
    assert "dagster" not in rendered.applications
    assert "https://dagster-io.github.io/helm" not in rendered.projects["platform"]["spec"]["sourceRepos"]
