"""Dataset metadata and lineage for DataHub, built from the dbt manifest, the warehouse and check results.

For each raw source and dbt model: datasetProperties (description, layer, DVC version of references),
schemaMetadata (columns and warehouse types, glossary terms from column `meta.glossary_term`), ownership,
classification tags, the domain (`meta.domain`), upstreamLineage; for each domain and glossary term its
properties; for each
check result: an assertion (assertionInfo) and its run (assertionRunEvent). Emitted with acryl-datahub to
a file sink locally and in tests, to DataHub GMS in the cluster (URL and token from an ExternalSecret).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datahub.emitter.mce_builder import (
    make_assertion_urn,
    make_data_platform_urn,
    make_dataset_urn_with_platform_instance,
    make_domain_urn,
    make_group_urn,
    make_tag_urn,
    make_term_urn,
)
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.metadata.schema_classes import (
    AssertionInfoClass,
    AssertionResultClass,
    AssertionResultTypeClass,
    AssertionRunEventClass,
    AssertionRunStatusClass,
    AssertionTypeClass,
    AuditStampClass,
    BooleanTypeClass,
    CustomAssertionInfoClass,
    DatasetLineageTypeClass,
    DatasetPropertiesClass,
    DateTypeClass,
    DomainPropertiesClass,
    DomainsClass,
    GlobalTagsClass,
    GlossaryTermAssociationClass,
    GlossaryTermInfoClass,
    GlossaryTermsClass,
    NumberTypeClass,
    OtherSchemaClass,
    OwnerClass,
    OwnershipClass,
    OwnershipTypeClass,
    SchemaFieldClass,
    SchemaFieldDataTypeClass,
    SchemaMetadataClass,
    StringTypeClass,
    TagAssociationClass,
    TimeTypeClass,
    UpstreamClass,
    UpstreamLineageClass,
)

from reference_pipeline.dbt_meta import meta_of
from reference_pipeline.publish import AUDIT_SCHEMA, PUBLISHED_SCHEMA

TECHNICAL_OWNER = "urn:li:ownershipType:__system__technical_owner"
_NUMBER = ("INT", "DECIMAL", "NUMERIC", "NUMBER", "FLOAT", "DOUBLE", "REAL", "HUGEINT")


@dataclass(frozen=True)
class Namespace:
    """Where the datasets live, as DataHub's own Snowflake/dbt ingestion names them, so the URNs merge.

    `database` is the warehouse database (Snowflake: SNOWFLAKE_DATABASE, lower-cased as DataHub does),
    `env` the fabric of the environment (DEV, STG, PROD), `instance` the platform instance if any.
    """

    platform: str
    database: str
    env: str = "PROD"
    instance: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """One check result on one table (dbt test, GE suite or row-count check)."""

    table: str  # schema.table
    name: str
    passed: bool
    description: str = ""


def dataset_urn(namespace: Namespace, table: str) -> str:
    name = f"{namespace.database}.{table}".lower()
    return make_dataset_urn_with_platform_instance(namespace.platform, name, namespace.instance, namespace.env)


def _owner_urn(owner: str) -> str:
    """Owners are teams (dbt `meta.owner`): DataHub groups."""
    return make_group_urn(owner.split("@")[0].replace("team:", ""))


def field_type(native: str) -> SchemaFieldDataTypeClass:
    """DataHub's field type for a warehouse type (DuckDB or Snowflake spelling)."""
    text = native.upper()
    if text.startswith(_NUMBER) or text in ("BIGINT", "SMALLINT", "TINYINT", "UBIGINT"):
        return SchemaFieldDataTypeClass(type=NumberTypeClass())
    if text == "DATE":
        return SchemaFieldDataTypeClass(type=DateTypeClass())
    if text.startswith(("TIMESTAMP", "TIME", "DATETIME")):
        return SchemaFieldDataTypeClass(type=TimeTypeClass())
    if text.startswith("BOOL"):
        return SchemaFieldDataTypeClass(type=BooleanTypeClass())
    return SchemaFieldDataTypeClass(type=StringTypeClass())


def _column_meta(node: dict[str, Any], name: str) -> dict[str, Any]:
    return meta_of(node.get("columns", {}).get(name) or {})


def node_table(node: dict[str, Any]) -> str:
    """`schema.table` of a node as consumers see it: gold built in the audit schema is described as published."""
    if node["resource_type"] == "source":
        return f"{node['schema']}.{node['identifier'] or node['name']}"
    schema = PUBLISHED_SCHEMA if str(node["schema"]).lower() == AUDIT_SCHEMA else node["schema"]
    return f"{schema}.{node['alias'] or node['name']}"


def _glossary_terms(node: dict[str, Any], name: str, stamp: AuditStampClass) -> GlossaryTermsClass | None:
    term = _column_meta(node, name).get("glossary_term")
    return (
        GlossaryTermsClass(terms=[GlossaryTermAssociationClass(urn=make_term_urn(term))], auditStamp=stamp)
        if term
        else None
    )


def vocabulary_mcps(datasets: dict[str, dict[str, Any]]) -> list[MetadataChangeProposalWrapper]:
    """Each domain (`meta.domain`) and glossary term (column `meta.glossary_term`) the models use, once."""
    domains: set[str] = set()
    terms: dict[str, str] = {}
    for node in datasets.values():
        domain = meta_of(node).get("domain")
        if domain:
            domains.add(str(domain))
        for name, column in (node.get("columns") or {}).items():
            term = _column_meta(node, name).get("glossary_term")
            if term and not terms.get(term):
                terms[str(term)] = column.get("description") or ""
    return [
        *(MetadataChangeProposalWrapper(entityUrn=make_domain_urn(d), aspect=DomainPropertiesClass(name=d))
          for d in sorted(domains)),
        *(MetadataChangeProposalWrapper(
            entityUrn=make_term_urn(term),
            aspect=GlossaryTermInfoClass(name=term, definition=definition or term, termSource="INTERNAL"),
        ) for term, definition in sorted(terms.items())),
    ]  # fmt: skip


def build_mcps(
    manifest: dict[str, Any],
    namespace: Namespace,
    column_types: dict[str, list[tuple[str, str]]],
    checks: Iterable[CheckOutcome] = (),
    extra_properties: dict[str, dict[str, str]] | None = None,
) -> list[MetadataChangeProposalWrapper]:
    """Every aspect for every source and model of `manifest` (dbt's target/manifest.json)."""
    extra_properties = extra_properties or {}
    nodes = {**manifest.get("sources", {}), **manifest.get("nodes", {})}
    datasets = {uid: node for uid, node in nodes.items() if node["resource_type"] in {"source", "model"}}
    mcps: list[MetadataChangeProposalWrapper] = vocabulary_mcps(datasets)
    stamp = AuditStampClass(time=int(time.time() * 1000), actor="urn:li:corpuser:datahub")
    for uid, node in sorted(datasets.items()):
        table = node_table(node)
        urn = dataset_urn(namespace, table)
        meta = meta_of(node)
        layer = table.split(".")[0]
        properties = {"layer": layer, "dbt_unique_id": uid, **extra_properties.get(table, {})}
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=DatasetPropertiesClass(
                    name=table, description=node.get("description") or None, customProperties=properties
                ),
            )
        )
        fields = [
            SchemaFieldClass(
                fieldPath=name,
                nativeDataType=kind,
                type=field_type(kind),
                description=(node.get("columns", {}).get(name) or {}).get("description") or None,
                globalTags=GlobalTagsClass(tags=[TagAssociationClass(tag=make_tag_urn("pii"))])
                if _column_meta(node, name).get("pii")
                else None,
                glossaryTerms=_glossary_terms(node, name, stamp),
            )
            for name, kind in column_types.get(table, [])
        ]
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=SchemaMetadataClass(
                    schemaName=table,
                    platform=make_data_platform_urn(namespace.platform),
                    version=0,
                    hash="",
                    platformSchema=OtherSchemaClass(rawSchema=""),
                    fields=fields,
                ),
            )
        )
        owner = meta.get("owner", "data-platform@example.com")
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=OwnershipClass(
                    owners=[
                        OwnerClass(
                            owner=_owner_urn(owner), type=OwnershipTypeClass.TECHNICAL_OWNER, typeUrn=TECHNICAL_OWNER
                        )
                    ]
                ),
            )
        )
        if meta.get("domain"):
            mcps.append(
                MetadataChangeProposalWrapper(
                    entityUrn=urn, aspect=DomainsClass(domains=[make_domain_urn(str(meta["domain"]))])
                )
            )
        tags = [f"layer:{layer}"]
        if meta.get("classification"):
            tags.append(f"classification:{meta['classification']}")
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=urn,
                aspect=GlobalTagsClass(tags=[TagAssociationClass(tag=make_tag_urn(tag)) for tag in tags]),
            )
        )
        depends_on = node.get("depends_on", {}).get("nodes", [])
        upstream_ids = [dep for dep in depends_on if dep in datasets]
        if upstream_ids:
            mcps.append(
                MetadataChangeProposalWrapper(
                    entityUrn=urn,
                    aspect=UpstreamLineageClass(
                        upstreams=[
                            UpstreamClass(
                                dataset=dataset_urn(namespace, node_table(datasets[dep])),
                                type=DatasetLineageTypeClass.TRANSFORMED,
                            )
                            for dep in sorted(upstream_ids)
                        ]
                    ),
                )
            )
    mcps += assertion_mcps(namespace, checks)
    return mcps


def assertion_mcps(namespace: Namespace, checks: Iterable[CheckOutcome]) -> list[MetadataChangeProposalWrapper]:
    now_ms = int(time.time() * 1000)
    mcps: list[MetadataChangeProposalWrapper] = []
    for check in checks:
        dataset = dataset_urn(namespace, check.table)
        assertion = make_assertion_urn(f"{check.table}.{check.name}")
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=assertion,
                aspect=AssertionInfoClass(
                    type=AssertionTypeClass.CUSTOM,
                    customAssertion=CustomAssertionInfoClass(type=check.name, entity=dataset),
                    description=check.description or check.name,
                ),
            )
        )
        mcps.append(
            MetadataChangeProposalWrapper(
                entityUrn=assertion,
                aspect=AssertionRunEventClass(
                    timestampMillis=now_ms,
                    runId=f"pipeline-{now_ms}",
                    asserteeUrn=dataset,
                    assertionUrn=assertion,
                    status=AssertionRunStatusClass.COMPLETE,
                    result=AssertionResultClass(
                        type=AssertionResultTypeClass.SUCCESS if check.passed else AssertionResultTypeClass.FAILURE
                    ),
                ),
            )
        )
    return mcps


def write_file_sink(mcps: list[MetadataChangeProposalWrapper], path: Path) -> None:
    """The acryl-datahub file sink format: a JSON list of MCPs (what `datahub ingest` reads back)."""
    from datahub.ingestion.sink.file import write_metadata_file

    path.parent.mkdir(parents=True, exist_ok=True)
    write_metadata_file(path, mcps)


def emit_to_gms(mcps: list[MetadataChangeProposalWrapper], gms_url: str, token: str | None) -> None:
    from datahub.emitter.rest_emitter import DatahubRestEmitter

    emitter = DatahubRestEmitter(gms_server=gms_url, token=token)
    try:
        for mcp in mcps:
            emitter.emit_mcp(mcp)
    finally:
        emitter.close()


def read_file_sink(path: Path) -> list[dict[str, Any]]:
    """The emitted records, as JSON (used by tests and by people checking what would be sent)."""
    return json.loads(path.read_text(encoding="utf-8"))
