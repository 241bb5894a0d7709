"""JSON logs on stderr, one object per line, carrying the request id of the request being served."""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from typing import Any

import orjson
from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"


class JsonFormatter(logging.Formatter):
    def __init__(self, app_name: str) -> None:
        super().__init__()
        self.app_name = app_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "app": self.app_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"] = request.method
            entry["path"] = request.path
            principal = g.get("principal")
            if principal is not None:  # who read what: the request line is the data-access audit record
                entry["subject"] = principal.subject
        for key in ("status", "duration_ms", "route", "audit"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(app: Flask, app_name: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(app_name))
    for logger in (app.logger, logging.getLogger("dataplatform")):
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex

    log_requests = os.environ.get("LOG_REQUESTS", "true").lower() not in ("0", "false", "no")

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        if log_requests:
            started = g.get("request_started")
            app.logger.info(
                "request",
                extra={
                    "status": response.status_code,
                    "route": request.url_rule.rule if request.url_rule is not None else None,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
                },
            )
        return response
