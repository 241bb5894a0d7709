"""SARIF 2.1.0 output of the policy gate (code-scanning UIs read it); excepted results are suppressed."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from platformctl.policy.catalogue import spec_for
from platformctl.policy.gate import PolicyReport
from platformctl.policy.results import EXCEPTED, FAILED, PolicyResult

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _rule(check_id: str, example: PolicyResult) -> dict[str, Any]:
    spec = spec_for(check_id)
    description = spec.intent if spec else example.title or check_id
    return {
        "id": check_id,
        "name": check_id.replace("_", ""),
        "shortDescription": {"text": description},
        "help": {"text": spec.fix if spec else example.fix or description},
        "properties": {"builtin": bool(spec.builtin) if spec else example.framework != "kubernetes"},
    }


def _result(result: PolicyResult, rule_index: int) -> dict[str, Any]:
    where = f"env {result.env}, " if result.env else ""
    physical: dict[str, Any] = {"artifactLocation": {"uri": result.file}}
    if result.line > 0:
        physical["region"] = {"startLine": result.line}
    sarif_result: dict[str, Any] = {
        "ruleId": result.check_id,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f"{where}{result.object}: {result.title} -> fix: {result.fix}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"name": result.object, "fullyQualifiedName": f"{result.env}:{result.object}"}],
            }
        ],
        "properties": {"env": result.env, "application": result.application, "framework": result.framework},
    }
    if result.status == EXCEPTED:
        sarif_result["suppressions"] = [{"kind": "external", "justification": result.exception_reason}]
    return sarif_result


def to_sarif(report: PolicyReport) -> dict[str, Any]:
    reported = sorted(r for r in report.results if r.status in (FAILED, EXCEPTED))
    rule_ids = sorted({r.check_id for r in reported})
    examples = {r.check_id: r for r in reported}
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    try:
        version = metadata.version("platformctl")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "platformctl policy",
                        "version": version,
                        "informationUri": "https://github.com/example-org/data-platform-gitops",
                        "rules": [_rule(rule_id, examples[rule_id]) for rule_id in rule_ids],
                    }
                },
                "results": [_result(r, index[r.check_id]) for r in reported],
            }
        ],
    }


def dumps(report: PolicyReport) -> str:
    return json.dumps(to_sarif(report), indent=2)
