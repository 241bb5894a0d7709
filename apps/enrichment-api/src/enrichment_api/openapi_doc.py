"""The enrichment API's OpenAPI document, generated from the entity rules of dataplatform_common."""

from __future__ import annotations

from typing import Any

from dataplatform_common import openapi
from dataplatform_common.normalise import ENTITIES

from enrichment_api.routes import MAX_RECORDS

ENRICHED_FIELDS = ("commune", "department_code", "department", "region_code", "region")


def _entity_schemas(entity: str) -> dict[str, Any]:
    rules = ENTITIES[entity]
    nullable_string = {"type": ["string", "null"]}
    record = {
        "type": "object",
        "description": f"A {entity} record as the producer sends it (values are cleaned by the API)",
        "properties": {
            rule.name: {
                "type": ["string", "number", "null"],
                "description": rule.description,
                "examples": [rule.example],
            }
            for rule in rules
        },
    }
    output_properties: dict[str, Any] = {rule.name: nullable_string for rule in rules}
    output_properties.update({name: nullable_string for name in ENRICHED_FIELDS})
    if entity == "customer":
        output_properties["customer_id"] = {"type": ["string", "null"], "description": "known gold customer"}
    if entity == "claim":
        output_properties["policy"] = {"type": "object", "description": "the gold policy the claim is on"}
    result = {
        "type": "object",
        "required": ["index", "status", "errors", "output", "duplicate_of", "match_keys"],
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "status": {"type": "string", "enum": ["ok", "invalid"]},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "code", "message"],
                "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
            }},
            "output": {"type": "object", "properties": output_properties},
            "duplicate_of": {"type": ["integer", "null"], "description": "index of the first record it duplicates"},
            "match_keys": {"type": "array", "items": {"type": "string"}},
        },
    }  # fmt: skip
    name = entity.capitalize()
    return {
        f"{name}Record": record,
        f"{name}Batch": {
            "type": "object",
            "required": ["records"],
            "additionalProperties": False,
            "properties": {"records": {"type": "array", "maxItems": MAX_RECORDS,
                                       "items": {"$ref": f"#/components/schemas/{name}Record"}}},
        },
        f"{name}Result": result,
        f"{name}Response": {
            "type": "object",
            "required": ["entity", "summary", "results"],
            "properties": {
                "entity": {"type": "string"},
                "summary": {"type": "object", "properties": {k: {"type": "integer"} for k in
                                                             ("received", "ok", "invalid", "duplicates")}},
                "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Result"}},
            },
        },
    }  # fmt: skip


def build_document(version: str) -> dict[str, Any]:
    paths: dict[str, Any] = openapi.docs_paths()
    schemas: dict[str, Any] = {}
    for entity in ENTITIES:
        name = entity.capitalize()
        schemas.update(_entity_schemas(entity))
        paths[f"/v1/enrich/{entity}"] = {"post": {
            "summary": f"Validate, normalise, deduplicate and enrich a batch of {entity} records",
            "description": f"At most {MAX_RECORDS} records (413 above). Every record is returned, in order.",
            "operationId": f"enrich_{entity}", "tags": ["enrichment"],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{name}Batch"}}}},
            "responses": {"200": {"description": "One result per input record, in input order", "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{name}Response"}}}},
                **openapi.problems(400, 401, 403, 413, 503),
                "415": {"description": "Body is not JSON", "content": {"application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        }}  # fmt: skip
    return openapi.document(
        "Enrichment API",
        version,
        "Validates, normalises (trim/case, e-mail, phone E.164, French postal code, dates), deduplicates within "
        "a batch and enriches records from gold reference data.",
        paths,
        schemas,
    )
