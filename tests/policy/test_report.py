"""The human report: one table per env with failures first, then one line per failure with its fix."""

from __future__ import annotations

from platformctl.policy import report
from platformctl.policy.gate import PolicyReport
from platformctl.policy.results import FAILED, PASSED, PolicyResult, object_from_checkov_resource


def result(check: str, status: str, obj: str = "Deployment/data-apps/api") -> PolicyResult:
    return PolicyResult("prod", "kubernetes", check, obj, "exposition-api", "m.yaml", 7, status, "title", "do this")


def test_table_lists_failures_first_in_natural_check_order() -> None:
    text = report.tables(
        PolicyReport(
            ["prod"],
            [result("CKV_PLATFORM_10", PASSED), result("CKV_PLATFORM_2", PASSED), result("CKV_PLATFORM_9", FAILED)],
        )
    )
    rows = [line.split()[0] for line in text.splitlines()[3:]]
    assert text.splitlines()[0] == "policy: env prod (2 passed, 1 failed, 0 excepted)"
    assert rows == ["CKV_PLATFORM_9", "CKV_PLATFORM_2", "CKV_PLATFORM_10"]


def test_failure_line_names_env_application_object_file_and_fix() -> None:
    (line,) = report.failure_lines([result("CKV_PLATFORM_9", FAILED), result("CKV_PLATFORM_2", PASSED)])
    assert line == (
        "ERROR [policy] env prod, application exposition-api, Deployment/data-apps/api, m.yaml:7: "
        "CKV_PLATFORM_9 title -> fix: do this"
    )


def test_checkov_resource_ids_become_kind_namespace_name() -> None:
    assert object_from_checkov_resource("Deployment.data-apps.api.v2") == "Deployment/data-apps/api.v2"
    assert object_from_checkov_resource("Namespace.default.data-apps") == "Namespace/data-apps"
