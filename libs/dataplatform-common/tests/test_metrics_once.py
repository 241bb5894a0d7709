"""Metric factories are built once even when gunicorn threads reach them at the same time."""

from __future__ import annotations

import threading
import time

from dataplatform_common.metrics import _once


def test_concurrent_first_calls_build_the_metric_once() -> None:
    built: list[object] = []

    @_once
    def metric() -> object:
        time.sleep(0.05)  # a slow registration: every thread arrives before the first one finishes
        built.append(object())
        return built[-1]

    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(metric())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(built) == 1
    assert results == [built[0]] * 8
