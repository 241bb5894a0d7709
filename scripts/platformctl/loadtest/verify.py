"""The verification a data app's Argo CD PostSync hook runs against its in-cluster Service.

Smoke: /healthz and /readyz answer 200 anonymously, then the first `smoke` request of the app's
slo.yaml answers 2xx with a bearer token (workload identity in the cluster: the hook's service account
is federated with a test identity; $LOADTEST_TOKEN elsewhere). Load (optional, bounded): the load gate's
remote mode for `load_seconds`, judged from the env's Prometheus. The verdict is printed as one line
`verification-verdict: {json}` that `platformctl promote` reads back from the hook's logs.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformctl.errors import PlatformError
from platformctl.loadtest.gate import GateOptions, run_gate
from platformctl.loadtest.locust_support import TOKEN_ENV_VAR
from platformctl.loadtest.slo import SloSpec, load_slo, slo_file
from platformctl.monitoring.smoke import send_one
from platformctl.paths import repo_root

VERDICT_PREFIX = "verification-verdict: "
HTTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class VerifyOptions:
    app: str
    target: str
    out: Path
    prometheus: str | None = None
    load_seconds: int = 0  # 0: smoke only
    audience: str | None = None  # Entra ID audience of the app (workload identity token)
    scrape_interval_seconds: float | None = None


@dataclass
class VerificationResult:
    app: str
    smoke: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    load: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and (self.load is None or bool(self.load.get("passed")))

    def verdict_line(self) -> str:
        document = {"app": self.app, "passed": self.passed, "smoke": self.smoke, "failures": self.failures,
                    "load": self.load}  # fmt: skip
        return VERDICT_PREFIX + json.dumps(document, separators=(", ", ": "))


def bearer_token(audience: str | None) -> str:
    """$LOADTEST_TOKEN, else a workload-identity token for `audience` (the hook's pod in the cluster)."""
    token = os.environ.get(TOKEN_ENV_VAR, "")
    if token:
        return token
    if os.environ.get("AZURE_FEDERATED_TOKEN_FILE"):
        if not audience:
            raise PlatformError("workload identity needs the app's audience", fix="pass --audience api://...")
        from azure.identity import WorkloadIdentityCredential

        return WorkloadIdentityCredential().get_token(f"{audience}/.default").token
    raise PlatformError(
        f"no bearer token: set ${TOKEN_ENV_VAR}, or run with workload identity (AZURE_FEDERATED_TOKEN_FILE)",
        fix="in the cluster, give the hook's service account azure.workload.identity/client-id",
    )


def _anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError) as error:
        raise PlatformError(
            f"{url} is unreachable ({getattr(error, 'reason', error)})", fix="is the app up?"
        ) from error


def smoke(spec: SloSpec, target: str, token: str, result: VerificationResult) -> None:
    for path in ("/healthz", "/readyz"):
        status = _anonymous_get(target + path)
        (result.smoke if status == 200 else result.failures).append(f"GET {path} {status}")
    request = spec.smoke[0]
    status = send_one(target, token, request, timeout=HTTP_TIMEOUT_SECONDS)
    line = f"{request.method} {request.path} {status} (authenticated)"
    (result.smoke if 200 <= status < 300 else result.failures).append(line)


def verify(options: VerifyOptions) -> VerificationResult:
    spec = load_slo(slo_file(repo_root(), options.app))
    target = options.target.rstrip("/")
    result = VerificationResult(options.app)
    token = bearer_token(options.audience)
    smoke(spec, target, token, result)
    if options.load_seconds > 0 and not result.failures:
        if not options.prometheus:
            raise PlatformError("the load part needs --prometheus", fix="pass the env's Prometheus URL")
        verdict = run_gate(
            GateOptions(app=options.app, out=options.out, target=target, prometheus=options.prometheus,
                        duration_seconds=options.load_seconds, token=token,
                        scrape_interval_seconds=options.scrape_interval_seconds)
        )  # fmt: skip
        result.load = {
            "mode": verdict.mode,
            "passed": verdict.passed,
            "rows": [
                {"objective": row.objective, "target": row.target, "locust": row.locust,
                 "prometheus": row.prometheus, "result": "pass" if row.passed else "FAIL"}
                for row in verdict.rows
            ],
        }  # fmt: skip
    return result


def parse_verdict(lines: list[str]) -> dict[str, Any] | None:
    """The last verdict among log lines (None when the hook printed none)."""
    for line in reversed(lines):
        if line.startswith(VERDICT_PREFIX):
            try:
                document = json.loads(line.removeprefix(VERDICT_PREFIX))
            except json.JSONDecodeError:
                return None
            return document if isinstance(document, dict) else None
    return None
