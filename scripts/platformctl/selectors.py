"""Kubernetes label selectors, evaluated as the API server and the controllers do (one implementation for
every gate: references, reachability, sync).

A `LabelSelector` (matchLabels + matchExpressions) matches a label set when every requirement holds;
an empty selector `{}` matches everything, and so does an absent one (`None`) where Kubernetes reads it
so (a NetworkPolicy peer, a webhook's namespaceSelector). Where absent means something else
(prometheus-operator: nil selects nothing; a Service without selector has no endpoints managed by
Kubernetes), the caller decides before calling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether `labels` satisfy a LabelSelector (matchLabels and matchExpressions); None or {}: every label set."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    return all(_requirement(expression, labels) for expression in selector.get("matchExpressions") or [])


def matches_map(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether `labels` satisfy an equality-only selector (Service.spec.selector: a plain map)."""
    return all(labels.get(str(key)) == str(value) for key, value in selector.items())


def _requirement(expression: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key = str(expression.get("key", ""))
    operator = expression.get("operator")
    values = {str(value) for value in expression.get("values") or []}
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False  # an unknown operator is rejected by the API server; it selects nothing


def as_pairs(selector: Mapping[str, Any]) -> dict[str, str]:
    """The equality requirements of a selector (matchLabels, or a plain map), for messages and hints."""
    pairs = selector.get("matchLabels") if "matchLabels" in selector or "matchExpressions" in selector else selector
    return {str(key): str(value) for key, value in (pairs or {}).items()}


def describe(selector: Mapping[str, Any] | None) -> str:
    """`a=b,c in (x,y)`: a selector as kubectl prints it ('{}' for the empty selector)."""
    if not selector:
        return "{}"
    parts = [f"{key}={value}" for key, value in sorted(as_pairs(selector).items())]
    for expression in selector.get("matchExpressions") or []:
        values = ",".join(str(value) for value in expression.get("values") or [])
        operator = expression.get("operator")
        key = expression.get("key")
        parts.append({"Exists": f"{key}", "DoesNotExist": f"!{key}"}.get(str(operator), f"{key} {operator} ({values})"))
    return ",".join(parts) or "{}"
