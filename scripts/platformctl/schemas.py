"""Schema gate: every rendered object, strictly, against its Kubernetes or CRD schema.

Built-in kinds use the JSON schemas bundled in `kubernetes-validate` for the env's Kubernetes
version. Instead of its per-call API (~100 objects/s, first error only) one validator is compiled per
(version, group/version/kind) on a self-contained schema (only the definitions the kind reaches) and
reports every error. Measured here for a Deployment: this closure compiles in ~3 ms and validates
~160,000 objects/s; fully inlining every $ref (jsonschema_rs.dereference) validates ~230,000/s but
costs ~150 ms per kind to build, which a gate run of a few hundred objects never earns back.
Custom resources use their CRD's openAPIV3Schema, made strict: unknown fields
are errors unless the schema says x-kubernetes-preserve-unknown-fields. A kind with no schema at all
is a finding, never a skip.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from platformctl.crds import CrdCatalogue, CrdVersion
from platformctl.errors import PlatformError
from platformctl.findings import Finding
from platformctl.manifests import group_of, kind_and_name

GATE = "schema"
MAX_ERRORS_PER_OBJECT = 20
_REF = re.compile(r'"\$ref":\s*"#/\$defs/([^"]+)"')


@dataclass(frozen=True)
class Target:
    """One object to validate and where it came from (for the finding)."""

    obj: dict[str, Any]
    application: str
    file: str


def _schema_dir(kubernetes_version: str) -> Any:
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    folder = root / f"v{kubernetes_version}.0-local-strict"
    if not folder.is_dir():
        known = sorted(p.name.split("-")[0] for p in root.iterdir() if p.name.endswith("-local-strict"))
        raise PlatformError(
            f"kubernetes-validate has no schemas for Kubernetes {kubernetes_version} (has {known[0]}..{known[-1]})",
            fix="upgrade kubernetes-validate in requirements/tooling.in or correct spec.kubernetesVersion",
        )
    return folder


@cache
def _kubernetes_definitions(kubernetes_version: str) -> tuple[dict[str, Any], dict[tuple[str, str, str], str]]:
    """($defs, index (group, version, kind) -> definition name) of one Kubernetes version."""
    document = json.loads((_schema_dir(kubernetes_version) / "_definitions.json").read_text(encoding="utf-8"))
    definitions: dict[str, Any] = document["$defs"]
    index: dict[tuple[str, str, str], str] = {}
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind") or []:
            index.setdefault((gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")), name)
    return definitions, index


def _closure(definitions: dict[str, Any], start: str) -> dict[str, Any]:
    """The definitions reachable from `start` (a small, self-contained $defs for one kind)."""
    reached: dict[str, Any] = {}
    pending = [start]
    while pending:
        name = pending.pop()
        if name in reached:
            continue
        reached[name] = definitions[name]
        pending.extend(ref for ref in _REF.findall(json.dumps(definitions[name])) if ref not in reached)
    return reached


@cache
def kubernetes_validator(kubernetes_version: str, group: str, version: str, kind: str) -> Any | None:
    definitions, index = _kubernetes_definitions(kubernetes_version)
    name = index.get((group, version, kind))
    if name is None:
        return None
    schema = {"$defs": _closure(definitions, name), "$ref": f"#/$defs/{name}"}
    return jsonschema_rs.Draft202012Validator(schema)


def kubernetes_versions_of(kubernetes_version: str, group: str, kind: str) -> list[str]:
    """The API versions Kubernetes serves for a built-in (group, kind); empty when not built in."""
    index = _kubernetes_definitions(kubernetes_version)[1]
    return sorted(f"{g}/{v}" if g else v for g, v, k in index if (g, k) == (group, kind))


META_DEFINITIONS = "io.k8s.apimachinery.pkg.apis.meta."  # DeleteOptions, WatchEvent...: listed under every group


def builtin_kinds(kubernetes_version: str) -> list[tuple[str, str, str]]:
    """(group, version, kind) of every built-in object kind the version's schemas define, every API
    version included (alpha and beta too); list kinds and the meta kinds every group carries excluded."""
    index = _kubernetes_definitions(kubernetes_version)[1]
    return sorted(
        gvk for gvk, name in index.items() if not name.startswith(META_DEFINITIONS) and not gvk[2].endswith("List")
    )


def strict_crd_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An openAPIV3Schema as strict JSON Schema: unknown fields rejected, `nullable` honoured."""
    strict = copy.deepcopy(schema)
    _make_strict(strict, embedded=True)
    return strict


def _make_strict(node: Any, *, embedded: bool = False) -> None:
    if not isinstance(node, dict):
        return
    if node.pop("nullable", False) and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]
    if embedded or node.get("x-kubernetes-embedded-resource"):
        properties = node.setdefault("properties", {})
        properties.setdefault("apiVersion", {"type": "string"})
        properties.setdefault("kind", {"type": "string"})
        properties.setdefault("metadata", {"type": "object"})
    preserve = node.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in node and "additionalProperties" not in node and not preserve:
        node["additionalProperties"] = False
    for child in (node.get("properties") or {}).values():
        _make_strict(child)
    for key in ("items", "additionalProperties", "not"):
        _make_strict(node.get(key))
    for key in ("anyOf", "allOf", "oneOf"):
        for child in node.get(key) or []:
            _make_strict(child)


@cache
def _crd_validator_cached(crd: CrdVersion, kubernetes_version: str) -> Any:
    schema = strict_crd_schema(crd.schema or {})
    # The API server validates a custom resource's metadata as ObjectMeta: so do we (strictly).
    definitions, _ = _kubernetes_definitions(kubernetes_version)
    object_meta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    schema["$defs"] = _closure(definitions, object_meta)
    schema.setdefault("properties", {})["metadata"] = {"$ref": f"#/$defs/{object_meta}"}
    return jsonschema_rs.Draft202012Validator(schema)


def crd_validator(crd: CrdVersion, kubernetes_version: str) -> Any | None:
    if crd.schema is None:
        return None
    return _crd_validator_cached(crd, kubernetes_version)


def clear_caches() -> None:
    """Forget every compiled validator (the benchmark measures compile cost with it)."""
    kubernetes_validator.cache_clear()
    _crd_validator_cached.cache_clear()


MAX_MESSAGE = 240


def format_error(error: Any) -> str:
    """`path.to.field: message` on one line (an offending value quoted in full is shortened)."""
    path = ".".join(str(part) for part in error.instance_path) or "(object)"
    message = " ".join(str(error.message).split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    return f"{path}: {message}"


def validate_objects(
    env: str, kubernetes_version: str, targets: Iterable[Target], crds: CrdCatalogue
) -> tuple[list[Finding], int]:
    """Findings for `targets` and how many objects were validated."""
    findings: list[Finding] = []
    count = 0
    for target in targets:
        count += 1
        kind, name = kind_and_name(target.obj)
        findings += [
            Finding(GATE, env, target.application, kind, name, target.file, message, fix)
            for message, fix in object_problems(target.obj, kubernetes_version, crds)
        ]
    return findings, count


def object_problems(obj: dict[str, Any], kubernetes_version: str, crds: CrdCatalogue) -> list[tuple[str, str]]:
    """(message, fix) of everything wrong with `obj` against its schema; empty when valid."""
    kind = str(obj.get("kind", ""))
    api_version = str(obj.get("apiVersion", ""))
    if not kind or not api_version:
        return [("object has no apiVersion or kind", "every rendered document must set apiVersion and kind")]
    group, version = group_of(api_version), api_version.rsplit("/", 1)[-1]
    validator = kubernetes_validator(kubernetes_version, group, version, kind)
    source = f"Kubernetes {kubernetes_version} schema"
    if validator is None:
        crd = crds.find(group, version, kind)
        if crd is None:
            served = crds.served_versions(group, kind) or kubernetes_versions_of(kubernetes_version, group, kind)
            if served:
                return [
                    (
                        f"apiVersion {api_version} of {kind} is not served (served: {', '.join(served)})",
                        "use a served apiVersion",
                    )
                ]
            return [
                (
                    f"unknown kind {api_version}/{kind}: not in Kubernetes {kubernetes_version} nor any known CRD",
                    "correct apiVersion/kind, or add the CRD to the upstream mirror's crds/",
                )
            ]
        validator = crd_validator(crd, kubernetes_version)
        source = f"CRD {crd.source} ({crd.version})"
        if validator is None:
            return [(f"CRD {crd.source} has no openAPIV3Schema for {version}", "use a CRD version with a schema")]
    errors = list(validator.iter_errors(obj))
    problems = [
        (f"{format_error(error)} (against {source})", "correct the field (see the schema)")
        for error in errors[:MAX_ERRORS_PER_OBJECT]
    ]
    if len(errors) > MAX_ERRORS_PER_OBJECT:
        problems.append((f"... and {len(errors) - MAX_ERRORS_PER_OBJECT} more schema errors", "fix the errors above"))
    return problems
