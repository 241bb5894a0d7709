"""POST /v1/enrich/<entity>: a batch in, every record out in order with status, errors and output."""

from __future__ import annotations

import json
from collections import Counter

from dataplatform_common.auth import ENRICH_ROLE
from dataplatform_common.metrics import enrichment_records
from dataplatform_common.normalise import ENTITIES
from dataplatform_common.problems import ApiProblemError, field_error
from dataplatform_common.webapp import require_role
from flask import Blueprint, Response, current_app, request

from enrichment_api.enrich import INVALID, enrich_batch

MAX_RECORDS = 1000
blueprint = Blueprint("enrich", __name__, url_prefix="/v1")


def _records() -> list:
    if not request.is_json:
        raise ApiProblemError(
            415, 'send the batch as application/json: {"records": [...]}', kind="unsupported-media-type"
        )
    try:
        body = json.loads(request.get_data(cache=False))
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiProblemError(400, "the body is not valid JSON", kind="invalid-body",
                         errors=[field_error("body", str(error).split(":")[0])]) from None  # fmt: skip
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiProblemError(400, "the body must be an object with a `records` array", kind="invalid-body",
                         errors=[field_error("body.records", "required array of record objects")])  # fmt: skip
    extra = sorted(set(body) - {"records"})
    if extra:
        raise ApiProblemError(400, "unknown top-level fields", kind="invalid-body",
                         errors=[field_error(f"body.{name}", "unknown field") for name in extra])  # fmt: skip
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise ApiProblemError(413, f"a batch holds at most {MAX_RECORDS} records, this one has {len(records)}: "
                              f"split it into batches of {MAX_RECORDS} or fewer", kind="batch-too-large")  # fmt: skip
    return records


@blueprint.post("/enrich/<entity>")
def enrich(entity: str) -> Response:
    require_role(ENRICH_ROLE)
    if entity not in ENTITIES:
        raise ApiProblemError(404, f"unknown entity {entity!r}; entities: {', '.join(ENTITIES)}", kind="unknown-entity")
    records = _records()
    results = enrich_batch(entity, records, current_app.extensions["reference"])
    statuses = Counter(r.status for r in results)
    counter = enrichment_records()
    for status, count in statuses.items():
        counter.labels(current_app.config["APP_NAME"], entity, status).inc(count)
    body = {
        "entity": entity,
        "summary": {
            "received": len(records),
            "ok": statuses.get("ok", 0),
            "invalid": statuses.get(INVALID, 0),
            "duplicates": sum(1 for r in results if r.duplicate_of is not None),
        },
        "results": [r.as_dict() for r in results],
    }
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")
