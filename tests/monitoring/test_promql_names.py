"""The PromQL lexer that lists metric selectors (what the exported-metrics check compares)."""

from __future__ import annotations

import pytest

from platformctl.monitoring.promql import grouping_labels, selectors, substitute_grafana_variables


def names(expr: str) -> list[str]:
    return [selector.metric for selector in selectors(expr)]


def test_aggregations_functions_and_keywords_are_not_metrics() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (route, le) (rate(a_bucket[5m]))) / on (app) group_left b:rec "
        "> bool 3 or sum(rate(c_total[1h30m] offset 5m)) without (instance) and vector(0) unless count(d)"
    )
    assert names(expr) == ["a_bucket", "b:rec", "c_total", "d"]


def test_label_matchers_keep_label_operator_and_value() -> None:
    (selector,) = selectors('x{app="exposition-api", route!~"/metrics|/healthz", le="0.5"}')
    assert selector.labels == {"app", "route", "le"}
    assert selector.matchers == (
        ("app", "=", "exposition-api"),
        ("route", "!~", "/metrics|/healthz"),
        ("le", "=", "0.5"),
    )


def test_strings_with_braces_and_keywords_do_not_confuse_it() -> None:
    assert names('label_replace(up{job="a {b} or c"}, "dst", "$1", "src", "(.*)")') == ["up"]


def test_grouping_labels_of_every_form() -> None:
    expr = "sum by (route) (a) / ignoring (status) group_left (owner) sum without (instance, pod) (b)"
    assert grouping_labels(expr) == {"route", "status", "owner", "instance", "pod"}


def test_grafana_variables_become_valid_durations() -> None:
    assert substitute_grafana_variables("rate(x[$__rate_interval]) + rate(y[${__interval}])") == (
        "rate(x[5m]) + rate(y[1m])"
    )


def test_an_unexpected_character_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError, match="unexpected character"):
        selectors("x # y")
