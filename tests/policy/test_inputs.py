"""The policy gate reads rendered manifests as Kubernetes reads YAML."""

from __future__ import annotations

from pathlib import Path

from platformctl.environments import get_environment
from platformctl.policy.inputs import load_input

APPLICATION = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: operators, namespace: argocd}
spec: {destination: {namespace: monitoring}}
"""
# kube-prometheus-stack 88.5.3's CRDs list a bare `=` in an enum: YAML 1.1's "value" tag for PyYAML.
MANIFEST = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  matchType:
    enum:
      - =
      - '!='
"""


def test_a_bare_equals_sign_is_the_string_kubernetes_reads(tmp_path: Path) -> None:
    (tmp_path / "_root").mkdir()
    (tmp_path / "_root" / "applications.yaml").write_text(APPLICATION, encoding="utf-8")
    (tmp_path / "operators").mkdir()
    (tmp_path / "operators" / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    env_input = load_input(get_environment("dev"), tmp_path)
    (crd,) = env_input.objects_by_application["operators"]
    assert crd["spec"]["matchType"]["enum"] == ["=", "!="]
