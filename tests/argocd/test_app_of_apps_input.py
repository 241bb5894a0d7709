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


def test_missing_environment_is_required(render_apps: Any) -> None:
    with pytest.raises(PlatformError, match=r"environment"):
        render_apps("dev", "environment: null\n")


def test_wave_lower_than_a_dependency_fails(render_apps: Any) -> None:
    with pytest.raises(PlatformError, match=r"component datahub \(wave -9\) dependsOn datahub-prerequisites"):
        render_apps("dev", "components:\n  datahub:\n    wave: -9\n")


def test_disabled_dependency_fails(render_apps: Any) -> None:
    with pytest.raises(PlatformError, match=r"dependsOn \"datahub-prerequisites\", which is disabled"):
        render_apps("dev", "components:\n  datahub-prerequisites:\n    enabled: false\n")


def test_chart_and_path_together_fail(render_apps: Any) -> None:
    with pytest.raises(PlatformError, match=r"component grafana: set either chart .* or path"):
        render_apps("dev", "components:\n  grafana:\n    path: platform/grafana\n")


def test_prod_refuses_a_branch(render_apps: Any) -> None:
    with pytest.raises(PlatformError, match=r"must be a release tag"):
        render_apps("prod", "repo:\n  targetRevision: main\n")


def test_disabling_a_component_removes_its_application_and_project_access(render_apps: Any) -> None:
    rendered = render_apps("dev", "components:\n  dagster:\n    enabled: false\n")
    assert "dagster" not in rendered.applications
    assert "https://dagster-io.github.io/helm" not in rendered.projects["platform"]["spec"]["sourceRepos"]
