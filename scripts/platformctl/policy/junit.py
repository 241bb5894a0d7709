"""JUnit XML of the policy gate: one test suite per environment, one test case per check and object."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from platformctl.policy.gate import PolicyReport
from platformctl.policy.results import EXCEPTED, FAILED


def to_junit(report: PolicyReport) -> str:
    suites = ET.Element("testsuites", name="platformctl policy")
    for scope in [*report.envs, ""]:
        results = sorted(r for r in report.results if r.env == scope)
        if not results:
            continue
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"policy.{scope or 'repository'}",
            tests=str(len(results)),
            failures=str(sum(1 for r in results if r.status == FAILED)),
            skipped=str(sum(1 for r in results if r.status == EXCEPTED)),
        )
        for result in results:
            case = ET.SubElement(
                suite, "testcase", classname=f"policy.{scope or 'repository'}.{result.check_id}", name=result.object
            )
            case.set("file", result.file)
            if result.status == FAILED:
                failure = ET.SubElement(case, "failure", message=f"{result.title} -> fix: {result.fix}")
                failure.text = f"{result.file}:{result.line}"
            elif result.status == EXCEPTED:
                ET.SubElement(case, "skipped", message=f"excepted: {result.exception_reason}")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
