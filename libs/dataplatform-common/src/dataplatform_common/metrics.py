"""Prometheus metrics of the data apps (names in `metric_names`), multiprocess-safe under gunicorn.

With `PROMETHEUS_MULTIPROC_DIR` set (gunicorn.conf.py sets it before forking), every worker writes its
samples to mmap files in that folder and `/metrics` aggregates them; without it, the process registry.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from dataplatform_common import metric_names as names

T = TypeVar("T")
_REGISTER_LOCK = threading.Lock()


def _once(factory: Callable[[], T]) -> Callable[[], T]:
    """Create the metric on first use, safe under gunicorn threads: two threads of a worker reaching a metric
    for the first time at once must not both register it (prometheus_client raises DuplicateTimeseries ->
    a 500). Double-checked, so the lock is only taken until the metric exists (not on every request)."""
    created: list[T] = []

    @wraps(factory)
    def get() -> T:
        if not created:
            with _REGISTER_LOCK:
                if not created:
                    created.append(factory())
        return created[0]

    return get


@_once
def http_request_duration() -> Histogram:
    return Histogram(
        names.HTTP_REQUEST_DURATION,
        "HTTP request latency by route (URL rule), method and status",
        names.HTTP_REQUEST_DURATION_LABELS,
        buckets=names.LATENCY_BUCKETS,
    )


@_once
def rows_served() -> Counter:
    return Counter(names.ROWS_SERVED, "Dataset rows returned to clients", names.ROWS_SERVED_LABELS)


@_once
def warehouse_query_duration() -> Histogram:
    return Histogram(
        names.WAREHOUSE_QUERY_DURATION,
        "Warehouse query latency by backend and operation",
        names.WAREHOUSE_QUERY_DURATION_LABELS,
        buckets=names.LATENCY_BUCKETS,
    )


@_once
def enrichment_records() -> Counter:
    return Counter(names.ENRICHMENT_RECORDS, "Records processed by the enrichment API", names.ENRICHMENT_RECORDS_LABELS)


def warehouse_observer(app_name: str):
    histogram = warehouse_query_duration()

    def observe(backend: str, operation: str, seconds: float) -> None:
        histogram.labels(app_name, backend, operation).observe(seconds)

    return observe


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def instrument(app: Flask, app_name: str) -> None:
    """Time every request and expose GET /metrics (anonymous)."""
    histogram = http_request_duration()

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            histogram.labels(app_name, route, request.method, str(response.status_code)).observe(
                time.perf_counter() - started
            )
        return response

    app.add_url_rule("/metrics", "metrics", metrics_response, methods=["GET"])
