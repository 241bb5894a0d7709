"""Upstream values gate: our value files for an upstream chart, checked against the chart itself.

For each upstream Application, its value files are merged in order (base then env). The merged
values are validated against the chart's values.schema.json (when the chart has one) on top of the
chart defaults, and every key we override must exist in the chart's default values.yaml (subchart
defaults included under their key) unless it lies under a free-form map; the closest real key is
suggested. Chart data comes from the chart archive in the chart cache, else from the offline mirror
at exactly the pinned version. A chart the mirror does not carry at all is not checked here: the
`charts` coverage line of `platformctl validate` names it once (platformctl.charts.check).
"""

from __future__ import annotations

import difflib
import fnmatch
import io
import json
import tarfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from platformctl.catalogue import FREE_FORM_VALUES
from platformctl.errors import PlatformError
from platformctl.findings import Finding
from platformctl.images import image_tags_in_values, mutable_tag_problem
from platformctl.kube_yaml import load_yaml_text
from platformctl.manifests import deep_merge
from platformctl.render import RenderedApplication
from platformctl.schemas import format_error

GATE = "values"
MAX_SCHEMA_ERRORS = 20


@dataclass
class ChartData:
    """Defaults (with subchart defaults under their keys) and optional values schema of one chart."""

    name: str
    version: str
    defaults: dict[str, Any]
    schema: dict[str, Any] | None
    origin: str  # where the data came from, for messages
    # values key -> "subchart version" of dependencies whose defaults are not available offline
    unverified: dict[str, str] = field(default_factory=dict)


def _safe_yaml(text: str, source: str) -> Any:
    try:
        return load_yaml_text(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise PlatformError(f"{where}: malformed YAML: {problem}", fix="correct the YAML syntax") from error


def mirror_has_chart(mirror: Path, name: str, version: str) -> bool:
    """Whether the offline mirror carries this chart version's defaults."""
    return (mirror / "charts" / name / version / "values.yaml").is_file()


def _mirror_chart(mirror: Path, name: str, version: str) -> ChartData | None:
    folder = mirror / "charts" / name / version
    if not mirror_has_chart(mirror, name, version):
        return None
    defaults = _safe_yaml((folder / "values.yaml").read_text(encoding="utf-8"), str(folder / "values.yaml")) or {}
    chart_meta = _safe_yaml((folder / "Chart.yaml").read_text(encoding="utf-8"), str(folder)) or {}
    # Subcharts kept in the upstream layout (subcharts/<name>/values.yaml), e.g. datahub's components.
    for sub_values in sorted(folder.glob("subcharts/*/values.yaml")):
        key = sub_values.parent.name
        sub_defaults = _safe_yaml(sub_values.read_text(encoding="utf-8"), str(sub_values)) or {}
        defaults[key] = _with_global(deep_merge(sub_defaults, defaults.get(key) or {}), defaults, sub_defaults)
    # Dependencies that the mirror carries as charts of their own (kube-prometheus-stack -> grafana).
    subcharts = {p.parent.name for p in folder.glob("subcharts/*/values.yaml")}
    unverified: dict[str, str] = {}
    for dependency in chart_meta.get("dependencies") or []:
        key = str(dependency.get("alias") or dependency.get("name"))
        if key in subcharts:
            continue
        dep = _mirror_chart(mirror, str(dependency.get("name")), str(dependency.get("version")))
        if dep is not None:
            defaults[key] = deep_merge(dep.defaults, defaults.get(key) or {})
        else:
            unverified[key] = f"{dependency.get('name')} {dependency.get('version')}"
    schema_file = folder / "values.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8")) if schema_file.is_file() else None
    return ChartData(name, version, defaults, schema, f"mirror charts/{name}/{version}", unverified)


def _with_global(sub: dict[str, Any], parent: dict[str, Any], sub_defaults: dict[str, Any]) -> dict[str, Any]:
    if isinstance(sub_defaults.get("global"), dict):
        parent["global"] = deep_merge(sub_defaults["global"], parent.get("global") or {})
    return sub


def _archive_chart(archive: Path, name: str, version: str) -> ChartData:
    """Defaults and schema read from a cached chart archive (subcharts under charts/<name>/)."""
    defaults: dict[str, Any] = {}
    schema = None
    subcharts: dict[str, dict[str, Any]] = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if not member.isfile():
                continue
            if parts[1:] == ["values.yaml"]:
                defaults = _safe_yaml(_read_member(tar, member), f"{archive}:{member.name}") or {}
            elif parts[1:] == ["values.schema.json"]:
                schema = json.loads(_read_member(tar, member))
            elif len(parts) == 4 and parts[1] == "charts" and parts[3] == "values.yaml":
                subcharts[parts[2]] = _safe_yaml(_read_member(tar, member), f"{archive}:{member.name}") or {}
    for key, sub_defaults in subcharts.items():
        defaults[key] = deep_merge(sub_defaults, defaults.get(key) or {})
    return ChartData(name, version, defaults, schema, f"chart archive {archive.name}")


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    handle = tar.extractfile(member)
    return io.TextIOWrapper(handle, encoding="utf-8").read() if handle else ""


def load_chart(name: str, version: str, mirror: Path, archive_dir: Path) -> ChartData | None:
    """Chart data from the cached archive, else the mirror (read once per process: treat as read-only)."""
    archive = archive_dir / f"{name}-{version}.tgz"
    if archive.is_file():
        stat = archive.stat()
        return _archive_chart_cached(archive, stat.st_mtime_ns, stat.st_size, name, version)
    return _mirror_chart_cached(mirror, name, version)


@lru_cache(maxsize=64)
def _mirror_chart_cached(mirror: Path, name: str, version: str) -> ChartData | None:
    return _mirror_chart(mirror, name, version)


@lru_cache(maxsize=64)
def _archive_chart_cached(archive: Path, _mtime: int, _size: int, name: str, version: str) -> ChartData:
    return _archive_chart(archive, name, version)


def read_value_files(app: RenderedApplication) -> tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]:
    """(file as written, content) of each readable value file in order, and (file, problem) for bad ones.

    A missing file is left to the graph gate (it owns "every referenced file exists").
    """
    documents: list[tuple[str, dict[str, Any]]] = []
    problems = []
    for written, path in zip(app.value_files, app.value_paths, strict=True):
        if not path.is_file():
            continue
        try:
            document = _safe_yaml(path.read_text(encoding="utf-8"), written) or {}
        except PlatformError as error:
            problems.append((written, error.message))
            continue
        if not isinstance(document, dict):
            problems.append((written, f"value file {written} is a {type(document).__name__}, not a mapping"))
            continue
        documents.append((written, document))
    return documents, problems


def _file_defining(documents: list[tuple[str, dict[str, Any]]], dotted: str) -> str:
    """The last value file that sets the key `dotted` (the one to correct)."""
    parts = dotted.split(".")
    for written, document in reversed(documents):
        node: Any = document
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            return written
    return documents[-1][0] if documents else ""


def unknown_keys(
    overrides: Any, defaults: Any, chart: str, schema: dict[str, Any] | None = None, path: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(dotted key, closest real key or '') of every override key the chart does not define, and
    (dotted key, '!<expected type>') where a map replaces a scalar or list of the defaults or vice versa.

    A key is defined when the defaults have it or, for charts with a values.schema.json, when the
    schema declares it (upstream often documents optional keys only in the schema).
    """
    if not isinstance(overrides, dict) or not isinstance(defaults, dict):
        return []
    declared = _schema_properties(schema, path)
    if (not defaults and declared is None) or _is_free_form(chart, path):
        return []  # an empty map in the defaults (or a documented free-form map) takes any key
    known = [str(k) for k in defaults] + sorted((declared or frozenset()) - ANY_KEY)
    found = []
    for key, value in overrides.items():
        default = defaults.get(key)
        here = (*path, str(key))
        if key in defaults and default is not None:
            if isinstance(default, dict) != isinstance(value, dict) and value is not None:
                expected = "a map" if isinstance(default, dict) else f"a {type(default).__name__}, not a map"
                found.append((".".join(here), f"!{expected}"))
                continue
            found.extend(unknown_keys(value, default, chart, schema, here))
        elif declared is ANY_KEY or key in (declared or ()):
            found.extend(unknown_keys(value, {}, chart, schema, here))  # known to the schema: check below it
        elif _is_free_form(chart, here):
            continue  # read by the templates, documented in comments only (catalogue.FREE_FORM_VALUES)
        elif key not in defaults:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            found.append((".".join(here), ".".join((*path, close[0])) if close else ""))
    return found


ANY_KEY = frozenset({"*"})  # the schema allows any key here (additionalProperties/patternProperties)


def _schema_properties(schema: dict[str, Any] | None, path: tuple[str, ...]) -> frozenset[str] | None:
    """Property names the schema declares at `path`: ANY_KEY for a free-form map, None when unknown."""
    node = _resolve(schema, schema)
    for part in path:
        if node is None:
            return None
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        if part in properties:
            node = _resolve(schema, properties[part])
        elif isinstance(extra, dict):
            node = _resolve(schema, extra)  # a map of objects: every key has this schema
        else:
            return None
    if node is None:
        return None
    extra = node.get("additionalProperties")
    if node.get("patternProperties") or extra is True or isinstance(extra, dict):
        return ANY_KEY
    properties = node.get("properties")
    return frozenset(properties) if isinstance(properties, dict) else None


def _resolve(schema: dict[str, Any] | None, node: Any) -> dict[str, Any] | None:
    """Follow local `$ref`s (`#/...`) of `node` within `schema`."""
    for _ in range(20):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str) or not node["$ref"].startswith("#/"):
            break
        target: Any = schema
        for part in node["$ref"][2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node if isinstance(node, dict) else None


def _is_free_form(chart: str, path: tuple[str, ...]) -> bool:
    dotted = ".".join(path)
    return any(fnmatch.fnmatchcase(dotted, pattern) for pattern in FREE_FORM_VALUES.get(chart, ()))


def check_in_repo_application(env: str, app: RenderedApplication, root: Path) -> list[Finding]:
    """Override keys of an in-repo chart against its own values.yaml (helm already enforces its
    values.schema.json when it has one; a key the chart never reads is otherwise silently ignored)."""
    defaults_file = root / app.chart / "values.yaml"
    if app.source != "in-repo" or not app.chart or not defaults_file.is_file():
        return []  # a missing chart is the graph gate's finding
    documents, problems = read_value_files(app)
    if app.inline_values:
        documents.append(("(Application helm.values)", app.inline_values))
    findings = [
        Finding(GATE, env, app.name, "chart", app.chart, file, problem, "correct the value file")
        for file, problem in problems
    ]
    try:
        defaults = _safe_yaml(defaults_file.read_text(encoding="utf-8"), str(defaults_file)) or {}
    except PlatformError as error:
        return [*findings, Finding(GATE, env, app.name, "chart", app.chart, app.chart, error.message, "fix the YAML")]
    schema_file = root / app.chart / "values.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8")) if schema_file.is_file() else None
    overrides: dict[str, Any] = {}
    for _, document in documents:
        overrides = deep_merge(overrides, document)
    for key, closest in unknown_keys(overrides, defaults, app.chart, schema):
        file = _file_defining(documents, key)
        if closest.startswith("!"):
            message = f"`{key}` must be {closest[1:]} (as in {app.chart}/values.yaml)"
            fix = "give it the type the chart's values.yaml has"
        else:
            message = f"unknown key `{key}` for chart {app.chart} (not in its values.yaml)"
            fix = f"did you mean `{closest}`?" if closest else f"remove it or add it to {app.chart}/values.yaml"
        findings.append(Finding(GATE, env, app.name, "chart", app.chart, file, message, fix))
    return findings


def check_application(
    env: str, app: RenderedApplication, mirror: Path, archive_dir: Path, immutable_images: bool = False
) -> list[Finding]:
    """Findings for one upstream Application; `immutable_images` (prod) also rejects mutable image tags."""
    if app.source != "upstream":
        return []
    where = app.value_files[-1] if app.value_files else ""

    def finding(message: str, fix: str, file: str = where, severity: str = "error") -> Finding:
        return Finding(GATE, env, app.name, "chart", f"{app.chart}@{app.version}", file, message, fix, severity)

    findings: list[Finding] = []
    documents, problems = read_value_files(app)
    overrides: dict[str, Any] = {}
    if app.inline_values:
        documents.append(("(Application helm.values)", app.inline_values))
    for _, document in documents:
        overrides = deep_merge(overrides, document)
    findings += [finding(problem, "create or correct the value file", file=file) for file, problem in problems]
    if immutable_images:
        for key, tag in image_tags_in_values(overrides):
            problem = mutable_tag_problem(tag)
            if problem:
                findings.append(
                    finding(
                        f"`{key}`: {problem}",
                        "pin an exact X.Y.Z tag, or a digest (`<tag>@sha256:...`)",
                        _file_defining(documents, key),
                    )
                )
    try:
        chart = load_chart(app.chart, app.version, mirror, archive_dir)
    except (PlatformError, json.JSONDecodeError, tarfile.TarError) as error:
        return [*findings, finding(f"cannot read chart data: {error}", "repair the chart cache or mirror entry")]
    if chart is None:
        mirrored = sorted(p.name for p in (mirror / "charts" / app.chart).glob("*") if p.is_dir())
        if mirrored:
            return [
                *findings,
                finding(
                    f"chart {app.chart} {app.version} is in neither the chart cache nor the mirror "
                    f"(mirrored: {', '.join(mirrored)})",
                    f"pin a mirrored version or add {app.chart}-{app.version}.tgz to the chart cache",
                ),
            ]
        # Not mirrored and not cached: validate's one `charts` coverage line names it (no per-env repeat).
        return findings
    if chart.schema is not None:
        try:
            validator = jsonschema_rs.validator_for(chart.schema)
        except (ValueError, jsonschema_rs.ValidationError) as error:  # a broken upstream schema
            return [*findings, finding(f"values.schema.json of {chart.origin} unusable: {error}", "report upstream")]
        errors = list(validator.iter_errors(deep_merge(chart.defaults, overrides)))
        for error in errors[:MAX_SCHEMA_ERRORS]:
            message = f"{format_error(error)} (values.schema.json of {chart.origin})"
            findings.append(finding(message, "correct the value"))
    for key, closest in unknown_keys(overrides, chart.defaults, app.chart, chart.schema):
        file = _file_defining(documents, key)
        if closest.startswith("!"):
            message = f"`{key}` must be {closest[1:]} (as in the defaults of chart {app.chart} {app.version})"
            findings.append(finding(message, "give it the type the chart's values.yaml has", file=file))
            continue
        subchart = chart.unverified.get(key.split(".", 1)[0])
        if subchart:
            message = (
                f"`{key}` is not in the defaults {app.chart} {app.version} sets for subchart {subchart}, "
                "whose own defaults are not mirrored: not verifiable offline"
            )
            fix = f"check it against {subchart}'s values.yaml (or add that chart to the mirror)"
            findings.append(finding(message, fix, file=file, severity="warning"))
            continue
        hint = f"did you mean `{closest}`?" if closest else "remove it or check the chart's values.yaml"
        findings.append(finding(f"unknown key `{key}` for chart {app.chart} {app.version}", hint, file=file))
    return findings
