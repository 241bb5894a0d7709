"""`platformctl new-app`: names, registration in every env, templates; the scaffold checked by the gates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platformctl.cli import main
from platformctl.errors import PlatformError
from platformctl.scaffold.naming import AppNames
from platformctl.scaffold.register import add_component
from platformctl.scaffold.templates import fill, kinds, read_pins


@pytest.mark.parametrize("name", ["Sales", "sales_api", "-api", "api-", "a--b", "9api", "x" * 41])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(PlatformError, match="not a lower-case DNS label"):
        AppNames.parse(name)


def test_names() -> None:
    assert AppNames.parse("sales-api") == AppNames("sales-api", "sales_api", "Sales API")


def test_registration_appends_one_block_and_keeps_everything_else(repo: Path) -> None:
    before = {env: (repo / f"clusters/{env}/platform.yaml").read_text() for env in ("dev", "staging", "prod")}
    assert main(["new-app", "sales-api", "--kind", "api", "--data-classification", "confidential"]) == 0
    catalogue = yaml.safe_load((repo / ".argocd/apps/values.yaml").read_text())["components"]
    for env, text in before.items():
        after = (repo / f"clusters/{env}/platform.yaml").read_text()
        assert after.startswith(text), "existing lines, comments included, are untouched"
        entry = yaml.safe_load(after)["components"]["sales-api"]
        assert entry["values"] == "apps/sales-api" and entry["dataClassification"] == "confidential"
        for key in ("project", "namespace", "wave", "path", "dependsOn"):
            assert entry[key] == catalogue["exposition-api"][key], key


def test_existing_app_or_component_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new-app", "cert-manager", "--kind", "api"]) == 2
    assert "component 'cert-manager' already exists in env dev" in capsys.readouterr().err
    (repo / "apps/sales-api").mkdir(parents=True)
    assert main(["new-app", "sales-api", "--kind", "api"]) == 2
    assert "apps/sales-api already exists" in capsys.readouterr().err


def test_components_mapping_is_required() -> None:
    with pytest.raises(PlatformError, match=r"p\.yaml: no block mapping `components:`"):
        add_component("environment: dev\n", "x", {"enabled": True}, "p.yaml")


def test_placeholders_and_pins(repo_root: Path) -> None:
    pins = read_pins(repo_root)
    assert fill("{{ name }} {{ pin:Flask }}", {"name": "a"}, pins, "t") == f"a flask=={pins['flask']}"
    assert fill("{{ pin:PyJWT[crypto] }}", {}, pins, "t") == f"pyjwt[crypto]=={pins['pyjwt']}"
    with pytest.raises(PlatformError, match="t: unknown placeholder 'nope'"):
        fill("{{ nope }}", {"name": "a"}, pins, "t")
    with pytest.raises(PlatformError, match=r"no-such-dist is not in requirements/tooling\.lock"):
        fill("{{ pin:no-such-dist }}", {}, pins, "t")


def test_every_kind_has_templates() -> None:
    assert "api" in kinds()


def test_new_api_brings_its_flows(repo: Path) -> None:
    """The reachability gate's catalogue entry comes with the app: its pods as an endpoint, renamed."""
    assert main(["new-app", "sales-api", "--kind", "api"]) == 0
    flows = yaml.safe_load((repo / "apps/sales-api/flows.yaml").read_text())
    assert flows["endpoints"]["sales-api"]["pods"] == {"app.kubernetes.io/name": "sales-api"}
    assert {flow["from"] for flow in flows["flows"]} == {"sales-api", "sales-api-verify"}  # its verification hook
    assert flows["endpoints"]["sales-api-verify"]["pods"]["app.kubernetes.io/instance"] == "sales-api"


@pytest.mark.parametrize("kind", ["api", "pipeline"])
def test_every_path_the_scaffolded_dockerfile_copies_exists(repo: Path, kind: str) -> None:
    """A COPY of a path the scaffold does not write (a catalog only the reference app has) fails `docker build`."""
    assert main(["new-app", "sales-api", "--kind", kind]) == 0
    dockerfile = (repo / "apps/sales-api/Dockerfile").read_text(encoding="utf-8")
    sources = [
        source
        for line in dockerfile.splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
        if not source.startswith("--")
    ]
    assert sources, "no COPY line read"
    assert [source for source in sources if not (repo / source).exists()] == []
