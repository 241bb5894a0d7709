"""`platformctl diff`: normalisation, risk flags, the Markdown cap, and two real revisions rendered by helm."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from platformctl.cli import main
from platformctl.diff.compare import ApplicationDiff, ObjectChange, Side, compare_application
from platformctl.diff.normalise import identity, normalise
from platformctl.diff.report import markdown_report
from platformctl.diff.risk import flags
from platformctl.paths import upstream_mirror


def _obj(kind: str, name: str, namespace: str | None = "data", **extra: object) -> dict:
    metadata: dict = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1" if kind in {"Secret", "PersistentVolumeClaim"} else "apps/v1", "kind": kind,
            "metadata": metadata, **extra}  # fmt: skip


def test_volatile_fields_are_dropped_and_secret_values_redacted() -> None:
    secret = _obj("Secret", "token", data={"password": "c2VjcmV0"}, status={"x": 1})
    secret["metadata"].update(creationTimestamp="2026-01-01T00:00:00Z", uid="abc", resourceVersion="7")
    clean = normalise(secret)
    assert clean["metadata"] == {"name": "token", "namespace": "data"}
    assert "status" not in clean
    assert clean["data"]["password"].startswith("<redacted sha256:")
    assert "c2VjcmV0" not in str(clean)
    assert normalise(_obj("Secret", "token", data={"password": "b3RoZXI="}))["data"] != clean["data"]


def test_identity_names_group_kind_namespace_and_name() -> None:
    assert identity(_obj("StatefulSet", "db")) == "apps/StatefulSet data/db"
    assert identity(_obj("Secret", "x", namespace=None)) == "core/Secret x"


@pytest.mark.parametrize(
    ("env", "kind", "change", "expected"),
    [
        ("dev", "Deployment", "changed", []),
        ("dev", "Deployment", "removed", ["deletion"]),
        ("prod", "ConfigMap", "added", ["prod"]),
        ("dev", "CustomResourceDefinition", "changed", ["CRD"]),
        ("staging", "PersistentVolumeClaim", "changed", ["stateful"]),
        ("dev", "StatefulSet", "added", ["stateful"]),
        ("dev", "AppProject", "changed", ["access (RBAC/AppProject)"]),
        ("dev", "ClusterRoleBinding", "added", ["access (RBAC/AppProject)"]),
        ("prod", "Application", "removed", ["deletion", "prod", "Application removed (cascade delete)"]),
    ],
)
def test_risk_flags(env: str, kind: str, change: str, expected: list[str]) -> None:
    assert flags(env, kind, change) == expected


def test_removed_object_with_prune_disabled_is_flagged_orphaned() -> None:
    namespace = _obj("Namespace", "data", namespace=None)
    namespace["metadata"]["annotations"] = {"argocd.argoproj.io/sync-options": "Delete=false,Prune=false"}
    diff = compare_application("prod", "namespaces", Side([namespace]), Side([]))
    assert diff.flags == ["orphaned (Prune=false)", "prod"]


def test_compare_finds_added_changed_removed_and_ignores_volatile_noise() -> None:
    before = [_obj("StatefulSet", "db", spec={"replicas": 1}), _obj("Deployment", "api"), _obj("Deployment", "old")]
    after = [_obj("StatefulSet", "db", spec={"replicas": 2}), _obj("Deployment", "api"), _obj("Deployment", "new")]
    after[1]["metadata"]["creationTimestamp"] = "now"
    diff = compare_application("dev", "app", Side(before), Side(after))
    assert [(c.change, c.identity) for c in diff.changes] == [
        ("added", "apps/Deployment data/new"),
        ("removed", "apps/Deployment data/old"),
        ("changed", "apps/StatefulSet data/db"),
    ]
    assert "-  replicas: 1\n+  replicas: 2" in diff.changes[2].diff
    assert diff.flags == ["deletion", "stateful"]


def test_not_rendered_side_is_noted() -> None:
    diff = compare_application(
        "dev", "grafana", Side([], False, "chart grafana-1.0.0 is not in the chart cache"), Side([])
    )
    assert diff.notes == ["not rendered in base: chart grafana-1.0.0 is not in the chart cache"]


def test_a_failed_render_is_noted_not_reported_as_deletions() -> None:
    broken = Side([], rendered=False, why_not_rendered="helm template failed", failed=True)
    diff = compare_application("prod", "api", Side([_obj("Deployment", "api")]), broken)
    assert diff.changes == [] and diff.notes == ["not rendered in head: helm template failed"]


def _big_diff(index: int) -> ApplicationDiff:
    change = ObjectChange(f"apps/Deployment data/a{index}", "Deployment", "changed", "-x\n+y\n" * 200, ())
    return ApplicationDiff("dev", f"app-{index}", [change])


def test_markdown_sections_are_collapsed_and_the_size_is_capped() -> None:
    diffs = [_big_diff(i) for i in range(20)]
    text = markdown_report(diffs, "main", "pr", [], max_chars=6_000)
    assert len(text) <= 6_000 + 300
    assert text.count("<details>") == text.count("</details>") >= 1
    assert "more Application section(s) not shown" in text
    assert "| dev | app-19 |" in text, "the summary table always lists everything"
    full = markdown_report(diffs, "main", "pr", [], max_chars=1_000_000)
    assert full.count("<details>") == 20 and "not shown" not in full


def test_a_fence_inside_a_value_does_not_break_the_block() -> None:
    change = ObjectChange("core/ConfigMap x", "ConfigMap", "added", "+doc: |\n+  ```sh\n+  run\n+  ```\n", ())
    text = markdown_report([ApplicationDiff("dev", "a", [change])], "b", "h", [])
    assert "````diff" in text


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def two_revisions(repo: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git copy of this repository's tracked files; HEAD removes a namespace and changes prod's Key Vault."""
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    values = repo / "platform/namespaces/values.yaml"
    document = yaml.safe_load(values.read_text())
    del document["namespaces"]["cert-manager"]
    values.write_text(yaml.safe_dump(document))
    prod = repo / "platform/secret-store/values-prod.yaml"
    prod.write_text(prod.read_text().replace("kv-dataplatform-prod", "kv-dataplatform-prod2"))
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "head")
    monkeypatch.setenv("PLATFORM_UPSTREAM_MIRROR", str(upstream_mirror(root=repo_root)))  # not beside the copy
    return repo


@pytest.mark.slow
def test_diff_of_two_real_revisions(two_revisions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    markdown = two_revisions / "build/diff.md"
    assert main(["diff", "--base", "HEAD~1", "--head", "HEAD", "--markdown", str(markdown)]) == 0
    out = capsys.readouterr().out
    for env in ("dev", "staging", "prod"):
        assert f"== {env} / namespaces: removed core/Namespace cert-manager  [orphaned (Prune=false)" in out
        assert (
            f"== {env} / namespaces: removed networking.k8s.io/NetworkPolicy cert-manager/default-deny  [deletion"
            in out
        )
    assert "== prod / secret-store: changed external-secrets.io/ClusterSecretStore" in out
    assert "+      vaultUrl: https://kv-dataplatform-prod2" in out
    assert "== dev / secret-store" not in out, "dev did not change"
    text = markdown.read_text()
    assert "<details><summary><b>prod</b> / <code>secret-store</code>" in text and "⚠️ prod" in text
    worktrees = subprocess.run(["git", "-C", str(two_revisions), "worktree", "list"], capture_output=True, text=True)
    assert len(worktrees.stdout.splitlines()) == 1, "the temporary worktrees are removed"


def test_unknown_revision_is_one_clear_line(two_revisions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--base", "no-such-branch"]) == 2
    error = capsys.readouterr().err
    assert "revision 'no-such-branch' is not a commit" in error and "Traceback" not in error
