"""`apps/<app>/slo.yaml`: the load profile and the objectives the load gate judges.

Every endpoint group names the Flask URL rule (`route`) it covers, because that is the `route` label of
`dataapp_http_request_duration_seconds`; locust reports the group under the same name (the locustfile
passes `name=<group>`). So both sources judge exactly the same requests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from platformctl.errors import PlatformError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoadProfile(_Strict):
    users: int = Field(ge=1, le=200)
    spawn_rate: float = Field(gt=0, le=200)
    duration_seconds: int = Field(ge=5, le=120, description="load time; the gate adds start and stop")
    max_requests: int = Field(ge=100, le=1_000_000, description="locust stops itself after this many requests")


class GroupObjective(_Strict):
    route: str = Field(pattern=r"^/")
    method: str = Field(default="GET", pattern=r"^(GET|POST|PUT|PATCH|DELETE)$")
    p95_ms: float = Field(gt=0)
    p99_ms: float = Field(gt=0)

    @model_validator(mode="after")
    def _p99_not_below_p95(self) -> GroupObjective:
        if self.p99_ms < self.p95_ms:
            raise ValueError("p99_ms must be >= p95_ms")
        return self


class Objectives(_Strict):
    max_error_ratio: float = Field(ge=0, le=1, description="5xx and transport errors / requests")
    min_throughput_rps: float = Field(gt=0)
    groups: dict[str, GroupObjective] = Field(min_length=1)


class Agreement(_Strict):
    """How far locust (client side) and Prometheus (server side) may differ before the gate fails.

    A Prometheus percentile is interpolated inside a histogram bucket, so it is only known to lie in
    that bucket: the two latencies agree when locust's value lies in the bucket of Prometheus' estimate,
    widened by `latency_abs_ms` below and by `latency_abs_ms + client_overhead_ms` above. The server's
    timer starts inside Flask, so the client also sees connection handling, queueing for a gunicorn
    thread and CPU contention on a shared machine; a client faster than the server is never plausible.
    Counts (error ratio, throughput) may also differ by the requests in flight when locust stops, at
    most one per user: that margin is added to `error_ratio_abs` and `throughput_rel`.
    A tail percentile is compared only when at least `min_tail_samples` requests lie beyond it (p99 of
    300 requests rests on 3 requests: one sample more or less moves it across a bucket).
    """

    latency_abs_ms: float = Field(ge=0, default=25)
    client_overhead_ms: float = Field(ge=0, default=500)
    error_ratio_abs: float = Field(ge=0, le=1, default=0.01)
    throughput_rel: float = Field(ge=0, le=1, default=0.15)
    min_tail_samples: int = Field(ge=1, default=10)


class Token(_Strict):
    roles: list[str] = Field(min_length=1)


class SmokeRequest(_Strict):
    """One request the monitoring gate sends before scraping /metrics, so every metric has a series."""

    method: str = Field(default="GET", pattern=r"^(GET|POST)$")
    path: str = Field(pattern=r"^/")
    accept: str | None = None
    body: Any = None  # sent as JSON


class SloSpec(_Strict):
    app: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    wsgi: str = Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", description="gunicorn entry point module:variable")
    token: Token
    load: LoadProfile
    objectives: Objectives
    agreement: Agreement = Agreement()
    smoke: list[SmokeRequest] = Field(min_length=1)
    prepare: list[list[str]] = Field(
        default_factory=list,
        description="local mode: commands run once, in order, with the app's environment, before gunicorn starts "
        "(what a deploy does before serving, e.g. an init container); `python` is the gate's interpreter",
    )

    @model_validator(mode="after")
    def _commands_not_empty(self) -> SloSpec:
        if any(not command for command in self.prepare):
            raise ValueError("every prepare command needs a program")
        return self


def slo_file(root: Path, app: str) -> Path:
    return root / "apps" / app / "slo.yaml"


def load_slo(path: Path) -> SloSpec:
    """Parse and validate an slo.yaml; any problem is one PlatformError naming the file, key and fix."""
    if not path.is_file():
        raise PlatformError(f"{path}: no SLO file", fix="create apps/<app>/slo.yaml (see apps/exposition-api/slo.yaml)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PlatformError(f"{path}: not valid YAML ({error.__class__.__name__})", fix="fix the YAML syntax") from None
    try:
        spec = SloSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise PlatformError(
            f"{path}: key {key}: {first['msg']} ({error.error_count()} problem(s))",
            fix="correct the value; apps/exposition-api/slo.yaml documents every key",
        ) from None
    if spec.app != path.parent.name:
        raise PlatformError(
            f"{path}: key app is {spec.app!r} but the folder is {path.parent.name!r}", fix="make them equal"
        )
    return spec
