"""Running checkov offline: kubernetes once per environment, dockerfile and secrets together once.

checkov always runs with --skip-download (otherwise it calls a vendor API and fails offline). Its JSON
report is parsed into `CheckovRecord`s; a checkov that crashes, prints no report, or cannot load one
of our external checks is an error, never an empty (passing) result.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformctl.errors import PlatformError
from platformctl.tools import find_tool

TIMEOUT_SECONDS = 300
LOAD_FAILURE_MARKER = "Cannot load external check"


@dataclass(frozen=True)
class CheckovRecord:
    framework: str  # checkov's check_type: kubernetes, dockerfile, secrets
    check_id: str
    check_name: str
    status: str  # PASSED | FAILED | SKIPPED (an inline checkov:skip comment or annotation)
    resource: str
    file_path: str  # as checkov prints it: relative to the scanned folder, with a leading "/"
    line: int
    guideline: str


@dataclass(frozen=True)
class CheckovRun:
    frameworks: tuple[str, ...]
    arguments: Sequence[str]  # -d DIR or -f FILE..., relative to cwd
    cwd: Path
    checks: Sequence[str] = ()
    skip_checks: Sequence[str] = ()
    external_checks_dir: Path | None = None
    extra_env: tuple[tuple[str, str], ...] = ()

    def command(self) -> list[str]:
        command = [str(find_tool("checkov")), "--skip-download", "--framework", *self.frameworks, "-o", "json"]
        command += ["--compact", *self.arguments]
        if self.checks:
            command += ["--check", ",".join(self.checks)]
        if self.skip_checks:
            command += ["--skip-check", ",".join(self.skip_checks)]
        if self.external_checks_dir is not None:
            command += ["--external-checks-dir", str(self.external_checks_dir)]
        return command


def start(run: CheckovRun) -> subprocess.Popen[str]:
    """Start checkov in the background (the gate runs a few at once on separate cores)."""
    env = {**os.environ, **dict(run.extra_env)}
    return subprocess.Popen(
        run.command(), cwd=run.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(run: CheckovRun, process: subprocess.Popen[str]) -> list[CheckovRecord]:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as error:
        process.kill()
        process.communicate()
        raise PlatformError(
            f"checkov ({' '.join(run.frameworks)}, {run.cwd}) did not finish within {TIMEOUT_SECONDS} s",
            fix="scan fewer files or look for a hung checkov process",
        ) from error
    where = f"checkov ({' '.join(run.frameworks)} in {run.cwd})"
    if LOAD_FAILURE_MARKER in stderr:
        line = next(x for x in stderr.splitlines() if LOAD_FAILURE_MARKER in x)
        raise PlatformError(f"{where}: {line.strip()}", fix="fix the Python error in that check under policies/")
    if process.returncode not in (0, 1):
        tail = " | ".join(stderr.strip().splitlines()[-3:])
        raise PlatformError(f"{where} exited with {process.returncode}: {tail}", fix="run the command by hand")
    return parse_report(stdout, where, run.frameworks[0])


def run(checkov_run: CheckovRun) -> list[CheckovRecord]:
    return finish(checkov_run, start(checkov_run))


def parse_report(stdout: str, where: str, default_framework: str) -> list[CheckovRecord]:
    """checkov's JSON: one report object, a list of them, or a bare summary when nothing was scanned."""
    start_at = min((i for i in (stdout.find("{"), stdout.find("[")) if i >= 0), default=-1)
    if start_at < 0:
        raise PlatformError(f"{where} printed no JSON report", fix="run the command by hand to see why")
    try:
        document: Any = json.loads(stdout[start_at:])
    except json.JSONDecodeError as error:
        raise PlatformError(f"{where} printed malformed JSON: {error}", fix="run the command by hand") from error
    reports = document if isinstance(document, list) else [document]
    records: list[CheckovRecord] = []
    for report in reports:
        results = report.get("results") if isinstance(report, dict) else None
        if not results:
            continue
        framework = str(report.get("check_type") or default_framework)
        for status_key, status in (
            ("passed_checks", "PASSED"),
            ("failed_checks", "FAILED"),
            ("skipped_checks", "SKIPPED"),
        ):
            for item in results.get(status_key) or []:
                line_range = item.get("file_line_range") or [0, 0]
                records.append(
                    CheckovRecord(
                        framework=framework,
                        check_id=str(item.get("check_id")),
                        check_name=str(item.get("check_name") or ""),
                        status=status,
                        resource=str(item.get("resource") or ""),
                        file_path=str(item.get("file_path") or ""),
                        line=int(line_range[0] or 0),
                        guideline=str(item.get("guideline") or ""),
                    )
                )
    return records
