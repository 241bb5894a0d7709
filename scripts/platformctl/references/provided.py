"""What the cluster provides (platform/cluster-provided.yaml), and the Secrets ExternalSecrets create.

Two sources of objects no Application renders: static ones (AKS storage classes, kube-dns, the
`default` ServiceAccount of every namespace, built-in ClusterRoles...) and ones an operator creates at
run time for a rendered object (a Prometheus' governing Service and pods, a Certificate's Secret, an
ExternalSecret's target Secret). Both become `Item`s with an `origin`, so resolvers treat them as they
treat rendered objects.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.manifests import group_of
from platformctl.references.inventory import CLUSTER, Item, make_item, pod_template
from platformctl.selectors import matches_map

PROVIDED_FILE = "platform/cluster-provided.yaml"
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")

Scope = Callable[[str, str], bool]


class Provided:
    """The parsed declaration: static items, name prefixes (e.g. `system:` ClusterRoles), generators."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        if not isinstance(data, dict):
            raise PlatformError(f"{source}: expected a mapping with `objects` and `generated`", fix="restore the file")
        self.source = source
        self.objects: list[dict[str, Any]] = list(data.get("objects") or [])
        self.generated: list[dict[str, Any]] = list(data.get("generated") or [])
        for entry in [*self.objects, *self.generated]:
            if not entry.get("source"):
                raise PlatformError(
                    f"{source}: entry {entry.get('kind') or entry.get('by')} has no `source`",
                    fix="say why the cluster provides it (documentation or code of AKS or the operator)",
                )

    @classmethod
    def load(cls, root: Path) -> Provided:
        path = root / PROVIDED_FILE
        if not path.is_file():
            return cls({}, PROVIDED_FILE)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise PlatformError(f"{PROVIDED_FILE}: malformed YAML: {error}", fix="correct the YAML syntax") from error
        return cls(data, PROVIDED_FILE)

    def static_items(self, scope: Scope) -> tuple[list[Item], dict[tuple[str, str], dict[str, frozenset[str] | None]]]:
        """Static objects, and those every namespace has: (group, kind) -> name -> keys."""
        items: list[Item] = []
        everywhere: dict[tuple[str, str], dict[str, frozenset[str] | None]] = {}
        for entry in self.objects:
            api_version = str(entry.get("apiVersion", "v1"))
            group = group_of(api_version)
            kind = str(entry["kind"])
            namespace = str(entry.get("namespace") or "")
            keys = frozenset(str(k) for k in entry["keys"]) if "keys" in entry else None
            for name in entry.get("names") or []:
                if namespace == "*":
                    everywhere.setdefault((group, kind), {})[str(name)] = keys
                    continue
                metadata: dict[str, Any] = {"name": str(name), "labels": entry.get("labels") or {}}
                if namespace:
                    metadata["namespace"] = namespace
                obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
                if kind == "Pod":
                    obj["spec"] = {"containers": [{"name": str(name), "ports": entry.get("ports") or []}]}
                elif entry.get("ports"):
                    obj["spec"] = {"ports": entry["ports"]}
                items.append(make_item(obj, CLUSTER, self.source, namespace, scope, _origin(entry), keys))
        return items, everywhere

    def prefixes(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """Name prefixes of static objects (`system:` ClusterRoles), per (group, kind)."""
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        for entry in self.objects:
            if entry.get("prefixes"):
                group = group_of(str(entry.get("apiVersion", "v1")))
                out[(group, str(entry["kind"]))] = tuple(str(p) for p in entry["prefixes"])
        return out

    def generated_items(self, rendered: Iterable[Item], scope: Scope) -> list[Item]:
        """Objects the operators create for the rendered objects that trigger them."""
        out: list[Item] = []
        for item in rendered:
            trigger = f"{item.group}/{item.kind}"
            for entry in self.generated:
                if entry.get("by") != trigger or not matches_map(entry.get("when") or {}, item.labels):
                    continue
                obj = _fill(copy.deepcopy(entry.get("object") or {}), item.obj)
                if entry.get("fromArg"):
                    value = _argument(item, str(entry["fromArg"]))
                    if value is None:
                        continue
                    namespace, _, name = value.rpartition("/")
                    obj.setdefault("metadata", {}).update({"name": name, "namespace": namespace or item.namespace})
                if not (obj.get("metadata") or {}).get("name"):
                    continue
                keys = frozenset(str(k) for k in entry["keys"]) if "keys" in entry else None
                origin = f"created at run time for {item} ({_origin(entry)})"
                out.append(make_item(obj, item.app, item.file, item.namespace, scope, origin, keys))
        return out


def _argument(item: Item, flag: str) -> str | None:
    """The value of `flag=VALUE` among the container arguments of `item`'s pod template."""
    template = pod_template(item)
    for container in template.containers() if template else ():
        for argument in [*(container.get("command") or []), *(container.get("args") or [])]:
            if str(argument).startswith(f"{flag}="):
                return str(argument).split("=", 1)[1]
    return None


def _origin(entry: dict[str, Any]) -> str:
    return " ".join(str(entry.get("source", "")).split())


def _lookup(obj: dict[str, Any], path: str) -> str | None:
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return None if value is None or isinstance(value, dict | list) else str(value)


def _fill(template: Any, source: dict[str, Any]) -> Any:
    """`template` with every `{path}` replaced by that field of `source`; a string naming an absent field is dropped."""
    if isinstance(template, dict):
        filled = {key: _fill(value, source) for key, value in template.items()}
        return {key: value for key, value in filled.items() if value is not None}
    if isinstance(template, list):
        return [value for value in (_fill(v, source) for v in template) if value is not None]
    if isinstance(template, str):
        missing = False

        def replace(match: re.Match[str]) -> str:
            nonlocal missing
            value = _lookup(source, match.group(1))
            missing = missing or value is None
            return value or ""

        text = _PLACEHOLDER.sub(replace, template)
        return None if missing else text
    return template


def external_secret_targets(external_secrets: Iterable[Item], scope: Scope) -> list[Item]:
    """The Secret each ExternalSecret creates: spec.target.name (default its own name) with exactly its keys.

    Keys: `spec.data[].secretKey`; with a `target.template`, the template's `data` keys (plus the data
    keys when `mergePolicy: Merge`). `dataFrom` or `templateFrom` make the keys unknowable offline (they
    come from the store or from another object): such a Secret is taken to provide any key.
    `creationPolicy: None` creates nothing.
    """
    out: list[Item] = []
    for item in external_secrets:
        target = item.spec.get("target") or {}
        if target.get("creationPolicy") == "None":
            continue
        name = str(target.get("name") or item.name)
        data_keys = {str(d.get("secretKey")) for d in item.spec.get("data") or [] if isinstance(d, dict)}
        any_key = bool(item.spec.get("dataFrom"))
        template = target.get("template") or {}
        if template.get("data") or template.get("templateFrom"):
            keys = {str(k) for k in template.get("data") or {}}
            any_key = bool(template.get("templateFrom")) or (template.get("mergePolicy") == "Merge" and any_key)
            if template.get("mergePolicy") == "Merge":
                keys |= data_keys
        else:
            keys = data_keys
        obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": item.namespace}}
        origin = f"created by {item}" + (" (dataFrom: keys unknown offline, any key accepted)" if any_key else "")
        out.append(
            make_item(obj, item.app, item.file, item.namespace, scope, origin, None if any_key else frozenset(keys))
        )
    return out


INGRESS_SHIM_ANNOTATIONS = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer")
TLS_KEYS = frozenset({"tls.crt", "tls.key", "ca.crt"})


def ingress_shim_secrets(ingresses: Iterable[Item], scope: Scope) -> list[Item]:
    """The TLS Secrets cert-manager's ingress-shim issues for an Ingress annotated with an issuer: one
    Certificate per `spec.tls[].secretName`, whose Secret holds tls.crt, tls.key and ca.crt
    (https://cert-manager.io/docs/usage/ingress/)."""
    out: list[Item] = []
    for item in ingresses:
        annotations = (item.obj.get("metadata") or {}).get("annotations") or {}
        annotation = next((a for a in INGRESS_SHIM_ANNOTATIONS if annotations.get(a)), None)
        if annotation is None:
            continue
        for tls in item.spec.get("tls") or []:
            if isinstance(tls, dict) and tls.get("secretName"):
                obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": str(tls["secretName"])}}
                origin = f"issued at run time by cert-manager's ingress-shim for {item} ({annotation})"
                out.append(make_item(obj, item.app, item.file, item.namespace, scope, origin, TLS_KEYS))
    return out
