"""`platformctl promote` on a temporary copy of the repository: only the pins change, inexact pins refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from platformctl.cli import main
from platformctl.environments import get_environment
from platformctl.errors import PlatformError
from platformctl.promote.built_images import built_images
from platformctl.promote.plan import Change, edited_files, plan_promotion
from platformctl.promote.yamledit import set_scalar

SHA_A = "3f9c2e1a7b"
SHA_B = "0d41be77c2"
# These tests are about which pins change; the evidence a promotion waits for: tests/status/.
FORCED = ("--force", "pins-only test: no live environment")


@pytest.fixture
def repo(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """clusters/ and .argocd/ of this checkout, plus an app whose values pin image tags per env."""
    for folder in ("clusters", ".argocd"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    app = tmp_path / "apps" / "exposition-api"
    app.mkdir(parents=True)
    (app / "values.yaml").write_text("# base\nimage:\n  repository: acr.example/exposition-api\n  tag: 0.1.0\n")
    (app / "values-dev.yaml").write_text(f"replicas: 1\nimage:\n  tag: {SHA_A}  # built from main\n")
    (app / "values-staging.yaml").write_text("# staging\nreplicas: 2\n")
    (app / "values-prod.yaml").write_text(f"image: {{tag: {SHA_B}}}\nreplicas: 3\n")
    dagster = tmp_path / "platform" / "dagster"
    dagster.mkdir(parents=True)
    for env, tag in (("dev", SHA_A), ("staging", "0.1.0"), ("prod", "0.1.0")):
        (dagster / f"values-{env}.yaml").write_text(_user_deployments(tag))
    monkeypatch.setenv("PLATFORM_REPO_ROOT", str(tmp_path))
    return tmp_path


def _user_deployments(tag: str) -> str:
    """An image pinned inside a list, the way the Dagster chart takes its code locations."""
    return (
        "dagster-user-deployments:\n  deployments:\n    - name: reference-pipeline\n      image:\n"
        f'        repository: acr.example/data-platform/reference-pipeline\n        tag: "{tag}"  # pinned\n'
        "      port: 3030\n"
    )


def _bump_dev_chart(repo: Path, old: str, new: str) -> None:
    platform = repo / "clusters/dev/platform.yaml"
    platform.write_text(platform.read_text().replace(f"cert-manager: {{chart: {{version: {old}}}}}", new))


def test_chart_version_is_copied_and_nothing_else_changes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    staging = repo / "clusters/staging/platform.yaml"
    before = staging.read_text()
    _bump_dev_chart(repo, "v1.21.1", "cert-manager: {chart: {version: v1.22.0}}")
    assert main(["promote", "cert-manager", "--from", "dev", "--to", "staging", *FORCED]) == 0
    after = staging.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("  cert-manager: {chart: {version: v1.21.1}}", "  cert-manager: {chart: {version: v1.22.0}}")]
    out = capsys.readouterr().out
    assert "+  cert-manager: {chart: {version: v1.22.0}}" in out
    assert "chart version v1.21.1 -> v1.22.0 (staging)" in out


def test_dry_run_writes_nothing(repo: Path) -> None:
    _bump_dev_chart(repo, "v1.21.1", "cert-manager: {chart: {version: v1.22.0}}")
    before = (repo / "clusters/prod/platform.yaml").read_text()
    assert main(["promote", "cert-manager", "--from", "dev", "--to", "prod", "--dry-run"]) == 0
    assert (repo / "clusters/prod/platform.yaml").read_text() == before


@pytest.mark.parametrize("pin", ['"~1.21"', "latest", '">=1.0"', "1.21"])
def test_inexact_chart_version_is_refused(repo: Path, pin: str, capsys: pytest.CaptureFixture[str]) -> None:
    _bump_dev_chart(repo, "v1.21.1", f"cert-manager: {{chart: {{version: {pin}}}}}")
    assert main(["promote", "cert-manager", "--from", "dev", "--to", "prod", *FORCED]) == 2
    error = capsys.readouterr().err
    assert "clusters/dev/platform.yaml: env dev pins" in error and "not exactly" in error
    assert "Traceback" not in error


def test_unpinned_chart_version_is_refused(repo: Path) -> None:
    _bump_dev_chart(repo, "v1.21.1", "cert-manager: {enabled: true}")
    with pytest.raises(PlatformError, match="pins nothing as the chart version of cert-manager"):
        plan_promotion("cert-manager", get_environment("dev", repo), get_environment("prod", repo))


def test_image_tag_is_inserted_into_the_env_file_only(repo: Path) -> None:
    app = repo / "apps/exposition-api"
    base = (app / "values.yaml").read_text()
    assert main(["promote", "exposition-api", "--from", "dev", "--to", "staging", *FORCED]) == 0
    staging = (app / "values-staging.yaml").read_text()
    assert staging.startswith("# staging\n"), "comments are kept"
    assert yaml.safe_load(staging) == {"replicas": 2, "image": {"tag": SHA_A}}
    assert (app / "values.yaml").read_text() == base


def test_image_tag_is_replaced_in_flow_style(repo: Path) -> None:
    assert main(["promote", "exposition-api", "--from", "dev", "--to", "prod", *FORCED]) == 0
    assert (repo / "apps/exposition-api/values-prod.yaml").read_text() == f"image: {{tag: {SHA_A}}}\nreplicas: 3\n"


def test_moving_image_tag_is_refused(repo: Path) -> None:
    (repo / "apps/exposition-api/values-dev.yaml").write_text("image:\n  tag: latest\n")
    with pytest.raises(PlatformError, match=r"values-dev.yaml: env dev pins 'latest' as the image tag"):
        plan_promotion("exposition-api", get_environment("dev", repo), get_environment("prod", repo))


def test_ci_bump_sets_a_built_tag(repo: Path) -> None:
    sha = "a" * 40
    assert main(["promote", "exposition-api", "--image-tag", sha, "--to", "dev"]) == 0
    dev = (repo / "apps/exposition-api/values-dev.yaml").read_text()
    assert dev == f"replicas: 1\nimage:\n  tag: {sha}  # built from main\n"
    assert main(["promote", "exposition-api", "--image-tag", "main", "--to", "dev"]) == 2


def test_same_env_and_unknown_component_are_refused(repo: Path) -> None:
    dev = get_environment("dev", repo)
    with pytest.raises(PlatformError, match="both dev"):
        plan_promotion("cert-manager", dev, dev)
    with pytest.raises(
        PlatformError, match=r"'nope' is neither a component of env dev \(known: .*cert-manager.*\) nor an image"
    ):
        plan_promotion("nope", dev, get_environment("prod", repo))


def test_two_changes_in_one_file_are_applied_in_order(repo: Path) -> None:
    path = repo / "apps/exposition-api/values-staging.yaml"

    files = edited_files(
        [Change("image tag", path, ("image", "tag"), None, "1.0.0"), Change("x", path, ("replicas",), "2", "4")]
    )
    assert yaml.safe_load(files[path][1]) == {"replicas": "4", "image": {"tag": "1.0.0"}}


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        ("", ("a", "b"), "a:\n  b: x\n"),
        ("a: {}\n", ("a", "b"), "a: {b: x}\n"),
        ("a: {c: 1}\n", ("a", "b"), "a: {b: x, c: 1}\n"),
        ("a:\n  c: 1  # keep\n", ("a", "b"), "a:\n  b: x\n  c: 1  # keep\n"),
        ("a:\n  b: 'old'  # keep\n", ("a", "b"), "a:\n  b: x  # keep\n"),
    ],
)
def test_set_scalar_edits_in_place(text: str, path: tuple[str, ...], expected: str) -> None:
    assert set_scalar(text, path, "x") == expected


def test_set_scalar_keeps_strings_that_look_like_numbers() -> None:
    edited = set_scalar("v: 1.0.0\n", ("v",), "1.10")
    assert yaml.safe_load(edited) == {"v": "1.10"}


def test_set_scalar_refuses_a_non_mapping_parent() -> None:
    with pytest.raises(PlatformError, match=r"f\.yaml: image is not a mapping"):
        set_scalar("image: acr/app:1\n", ("image", "tag"), "x", source="f.yaml")


def test_image_inside_a_list_is_found_by_name(repo: Path) -> None:
    sha = "b" * 40
    assert main(["promote", "reference-pipeline", "--image-tag", sha, "--to", "dev"]) == 0
    assert (repo / "platform/dagster/values-dev.yaml").read_text() == _user_deployments(sha).replace(f'"{sha}"', sha)
    assert main(["promote", "reference-pipeline", "--from", "dev", "--to", "prod", *FORCED]) == 0
    prod = yaml.safe_load((repo / "platform/dagster/values-prod.yaml").read_text())
    assert prod["dagster-user-deployments"]["deployments"][0]["image"]["tag"] == sha
    assert "# pinned" in (repo / "platform/dagster/values-prod.yaml").read_text()


def test_image_name_with_two_tags_in_the_source_is_refused(repo: Path) -> None:
    values = repo / "platform/dagster/values-dev.yaml"
    values.write_text(values.read_text() + _user_deployments("1.0.0").replace("dagster-user-deployments", "other"))
    with pytest.raises(PlatformError, match=r"env dev pins 2 tags for image \.\.\./reference-pipeline"):
        plan_promotion("reference-pipeline", get_environment("dev", repo), get_environment("prod", repo))


def test_unknown_image_name_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["promote", "no-such-image", "--image-tag", "1.0.0", "--to", "dev"]) == 2
    assert "'no-such-image' is neither a component of env dev" in capsys.readouterr().err


def test_built_images_are_pushed_where_the_values_pin_them(repo: Path) -> None:
    app = repo / "apps/exposition-api"
    (app / "Dockerfile").write_text("FROM scratch\n")
    (app / "values.yaml").write_text(
        "image:\n  registry: acr.example\n  repository: data-apps/exposition-api\n  tag: 1.0.0\n"
    )
    pipeline = repo / "apps/pipeline"
    pipeline.mkdir()
    (pipeline / "Dockerfile").write_text('FROM scratch\nLABEL org.opencontainers.image.title="reference-pipeline"\n')
    assert built_images(repo) == [
        {"dockerfile": "apps/exposition-api/Dockerfile", "image": "exposition-api",
         "repository": "acr.example/data-apps/exposition-api"},
        {"dockerfile": "apps/pipeline/Dockerfile", "image": "reference-pipeline",
         "repository": "acr.example/data-platform/reference-pipeline"},
    ]  # fmt: skip


def test_an_image_pinned_nowhere_is_reported(repo: Path) -> None:
    (repo / "apps/orphan").mkdir()
    (repo / "apps/orphan/Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(PlatformError, match=r"apps/orphan/Dockerfile: image 'orphan' is pinned by 0 repositories"):
        built_images(repo)


def test_pending_lists_what_a_promotion_would_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _bump_dev_chart(repo, "v1.21.1", "cert-manager: {chart: {version: v1.22.0}}")
    assert main(["promote", "--pending", "--from", "dev", "--to", "staging"]) == 0
    assert capsys.readouterr().out.split() == ["cert-manager", "exposition-api", "reference-pipeline"]
    assert main(["promote", "--pending", "--from", "staging", "--to", "staging"]) == 0  # same env: nothing
    assert capsys.readouterr().out.split() == []
    assert main(["promote", "cert-manager", "--pending", "--from", "dev", "--to", "staging"]) == 2
