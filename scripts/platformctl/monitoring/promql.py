"""Just enough PromQL lexing to list the metric selectors of an expression (name + label names).

Parsing (is this valid PromQL?) is promtool's job; this only answers "which metrics and labels does
this expression read", to compare with what our apps really export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
      |(?P<number>(?:\d+(?:\.\d+)?(?:ms|[smhdwy])?)+|0x[0-9a-fA-F]+)
      |(?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
      |(?P<punct>!~|=~|!=|==|>=|<=|[{}()\[\],=<>+\-*/%^@!])
      |(?P<space>\s+)""",
    re.VERBOSE,
)
_KEYWORDS = frozenset(
    {
        "by",
        "without",
        "on",
        "ignoring",
        "group_left",
        "group_right",
        "bool",
        "and",
        "or",
        "unless",
        "offset",
        "atan2",
        "inf",
        "nan",
        "start",
        "end",
    }
)
_AGGREGATIONS = frozenset(
    {
        "sum",
        "min",
        "max",
        "avg",
        "group",
        "stddev",
        "stdvar",
        "count",
        "count_values",
        "bottomk",
        "topk",
        "quantile",
        "limitk",
        "limit_ratio",
    }
)
_GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_MATCH_OPERATORS = frozenset({"=", "!=", "=~", "!~"})

# Grafana's variables, replaced by something PromQL accepts before parsing.
_GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "${__rate_interval}": "5m",
    "$__interval": "1m",
    "${__interval}": "1m",
    "$__range": "1h",
    "${__range}": "1h",
}


@dataclass(frozen=True)
class Selector:
    metric: str
    labels: frozenset[str]
    matchers: tuple[tuple[str, str, str], ...]  # (label, operator, value without quotes)


def substitute_grafana_variables(expr: str) -> str:
    for variable, value in _GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def tokens(expr: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    while position < len(expr):
        match = _TOKEN.match(expr, position)
        if match is None:
            raise ValueError(f"unexpected character {expr[position]!r} at {position} in {expr!r}")
        position = match.end()
        if match.lastgroup != "space":
            out.append((match.lastgroup or "", match.group()))
    return out


def _matchers(items: list[tuple[str, str]], start: int) -> tuple[list[tuple[str, str, str]], int]:
    """Label matchers from the token after `{` to the matching `}`; returns them and the next index."""
    found: list[tuple[str, str, str]] = []
    index = start
    while index < len(items) and items[index][1] != "}":
        kind, text = items[index]
        if kind == "ident" and index + 2 < len(items) and items[index + 1][1] in _MATCH_OPERATORS:
            found.append((text, items[index + 1][1], items[index + 2][1][1:-1]))
            index += 3
            continue
        index += 1
    return found, index + 1


def selectors(expr: str) -> list[Selector]:
    """Every metric selector of `expr` (Grafana variables substituted first)."""
    items = tokens(substitute_grafana_variables(expr))
    found: list[Selector] = []
    index = 0
    while index < len(items):
        kind, text = items[index]
        following = items[index + 1][1] if index + 1 < len(items) else ""
        if kind == "ident" and text in _GROUPING and following == "(":
            index = next(i for i in range(index + 1, len(items)) if items[i][1] == ")") + 1
            continue
        if kind == "ident" and text in _AGGREGATIONS and following in ("by", "without"):
            index += 1  # `sum by (...) (...)`: an aggregation, not a metric
            continue
        if kind == "ident" and text not in _KEYWORDS and following != "(":
            matchers: list[tuple[str, str, str]] = []
            index += 1
            if following == "{":
                matchers, index = _matchers(items, index + 1)
            found.append(Selector(text, frozenset(m[0] for m in matchers), tuple(matchers)))
            continue
        index += 1
    return found


def grouping_labels(expr: str) -> set[str]:
    """Label names used in `by (...)`, `without (...)`, `on (...)`, `ignoring (...)` and `group_*`."""
    items = tokens(substitute_grafana_variables(expr))
    labels: set[str] = set()
    for index, (kind, text) in enumerate(items):
        if kind == "ident" and text in _GROUPING and index + 1 < len(items) and items[index + 1][1] == "(":
            for inner_kind, inner_text in items[index + 2 :]:
                if inner_text == ")":
                    break
                if inner_kind == "ident":
                    labels.add(inner_text)
    return labels
