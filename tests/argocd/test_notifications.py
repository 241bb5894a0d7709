"""Alerts and Argo CD notifications reach someone, and every Application links to where to look.

Alertmanager (kube-prometheus-stack values) routes to Teams (msteamsv2) and e-mail with credentials read
from files of a Secret an ExternalSecret fills; Argo CD notifications (argo-cd values) define the Teams
Workflows and e-mail services, templates and triggers; the app-of-apps chart subscribes prod Applications
and renders `spec.info` links from the catalogue.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import yaml

from platformctl.environments import get_environment
from platformctl.paths import repo_root, upstream_mirror

ALERTMANAGER_SECRETS = "/etc/alertmanager/secrets"
TRIGGERS = ("on-sync-failed", "on-health-degraded")
SERVICES = ("teams-workflows", "email")


def values(relative: str) -> Any:
    return yaml.safe_load((repo_root() / relative).read_text(encoding="utf-8"))


def external_secret(name: str) -> dict[str, Any]:
    return values("platform/secret-store/values.yaml")["externalSecrets"][name]


def _version(tag: str) -> tuple[int, ...]:
    return tuple(int(part) for part in tag.lstrip("v").split(".")[:3])


def test_alertmanager_routes_every_alert_to_teams_and_critical_ones_to_email() -> None:
    alertmanager = values("platform/kube-prometheus-stack/values.yaml")["alertmanager"]
    config = alertmanager["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    route = config["route"]
    routed = [route["receiver"], *(r["receiver"] for r in route["routes"])]
    assert set(routed) <= set(receivers), "a route names a receiver that does not exist"
    assert "null" not in route["receiver"]  # the default receiver reaches someone
    assert "msteamsv2_configs" in receivers[route["receiver"]]
    critical = next(r for r in route["routes"] if r["matchers"] == ['severity = "critical"'])
    assert {"msteamsv2_configs", "email_configs"} <= set(receivers[critical["receiver"]])
    silenced = {m for r in route["routes"] if r["receiver"] == "null" for m in r["matchers"]}
    assert silenced == {'alertname = "Watchdog"', 'alertname = "InfoInhibitor"'}


def test_alertmanager_credentials_are_files_of_an_external_secret() -> None:
    """Every *_file path points into a Secret the Alertmanager mounts, at a key its ExternalSecret fills."""
    alertmanager = values("platform/kube-prometheus-stack/values.yaml")["alertmanager"]
    mounted = alertmanager["alertmanagerSpec"]["secrets"]
    text = json.dumps(alertmanager["config"])
    files = re.findall(r'"(?:webhook_url_file|smtp_auth_password_file)": "([^"]+)"', text)
    assert len(files) >= 3
    assert 'webhook_url"' not in text and 'smtp_auth_password"' not in text  # never a value in Git
    for path in files:
        secret, key = path.removeprefix(ALERTMANAGER_SECRETS + "/").split("/")
        assert path.startswith(ALERTMANAGER_SECRETS) and secret in mounted, path
        source = external_secret(secret)
        assert source["namespace"] == "monitoring" and key in source["data"], path


def test_the_pinned_alertmanager_has_msteamsv2() -> None:
    """msteamsv2_configs (Teams Workflows, adaptive cards) exists from Alertmanager v0.28.0 on."""
    chart = upstream_mirror() / "charts/kube-prometheus-stack/88.5.3/values.yaml"
    defaults = yaml.safe_load(chart.read_text(encoding="utf-8"))
    assert _version(defaults["alertmanager"]["alertmanagerSpec"]["image"]["tag"]) >= (0, 28, 0)


def test_argo_cd_notifications_have_services_templates_and_triggers() -> None:
    notifications = values("platform/argo-cd/values.yaml")["notifications"]
    assert notifications["secret"]["create"] is False
    secret = external_secret("argocd-notifications-secret")
    assert secret["namespace"] == "argocd"
    notifiers = notifications["notifiers"]
    assert {f"service.{s}" for s in SERVICES} <= set(notifiers)
    for reference in re.findall(r"\$([-a-zA-Z0-9_.]+)", "".join(notifiers.values())):
        assert reference in secret["data"], f"${reference} is not a key of argocd-notifications-secret"
    recipients = yaml.safe_load(notifiers["service.teams-workflows"])["recipientUrls"]
    for trigger in TRIGGERS:
        (rule,) = yaml.safe_load(notifications["triggers"][f"trigger.{trigger}"])
        for template in rule["send"]:
            body = yaml.safe_load(notifications["templates"][f"template.{template}"])
            assert {"email", "teams-workflows", "message"} <= set(body), template
            assert body["email"]["subject"], template
    assert "platform" in recipients


def test_prod_applications_subscribe_to_failures_and_degradation(apps: Any, env: str) -> None:
    notifications = values("platform/argo-cd/values.yaml")["notifications"]
    recipients = yaml.safe_load(notifications["notifiers"]["service.teams-workflows"])["recipientUrls"]
    for name, application in apps.applications.items():
        annotations = application["metadata"]["annotations"]
        subscriptions = {k: v for k, v in annotations.items() if k.startswith("notifications.argoproj.io/")}
        if env != "prod":
            assert subscriptions == {}, name
            continue
        expected = {f"notifications.argoproj.io/subscribe.{t}.{s}" for t in TRIGGERS for s in SERVICES}
        assert set(subscriptions) == expected, name
        for key, recipient in subscriptions.items():
            _, trigger, service = key.split("/", 1)[1].split(".")
            assert f"trigger.{trigger}" in notifications["triggers"], key
            assert recipient in recipients if service == "teams-workflows" else "@" in recipient, key


def test_every_application_links_its_dashboard_runbook_datahub_page_and_owner(apps: Any, env: str) -> None:
    crd = yaml.safe_load((upstream_mirror() / "crds/argo-cd/application-crd.yaml").read_text(encoding="utf-8"))
    info_schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["info"]
    zone = get_environment(env, repo_root()).cluster["spec"]["dns"]["zone"]
    dashboards = {
        json.loads(path.read_text(encoding="utf-8"))["uid"]
        for path in (repo_root() / "platform/monitoring/dashboards").glob("*.json")
    }
    grafana_url = values(f"platform/grafana/values-{env}.yaml")["env"]["GF_SERVER_ROOT_URL"]
    for name, application in apps.applications.items():
        info = application["spec"]["info"]
        jsonschema.validate(info, info_schema)
        links = {item["name"]: item["value"] for item in info}
        assert set(links) == {"Grafana dashboard", "Runbook", "DataHub", "Owner"}, name
        grafana, uid = links["Grafana dashboard"].split("/d/")
        assert grafana == grafana_url == f"https://grafana.{zone}" and uid in dashboards, name
        repository, _, path = links["Runbook"].partition("/blob/main/")
        assert repository == "https://github.com/example-org/data-platform-gitops" and (repo_root() / path).is_file()
        assert links["DataHub"] == f"https://datahub.{zone}/search?query={name}", name
        assert links["Owner"] == application["metadata"]["labels"]["platform.example/owner"], name


@pytest.mark.parametrize("component", ["exposition-api", "enrichment-api"])
def test_data_apps_link_their_own_dashboard(apps: Any, component: str) -> None:
    links = {item["name"]: item["value"] for item in apps.applications[component]["spec"]["info"]}
    assert links["Grafana dashboard"].endswith(f"/d/dataapp-{component}")
