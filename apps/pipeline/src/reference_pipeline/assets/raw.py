"""Ingestion: landed raw drops -> `raw.<entity>`, incrementally; the DVC-tracked reference -> `raw.postal_codes`.

Which files are already loaded is tracked by Dagster: every materialisation records the full list in
its metadata (`loaded_files`), and the next run loads only the files not in it. If the raw table was
dropped (a fresh warehouse), everything is loaded again.
"""

from pathlib import Path

import dagster as dg

from reference_pipeline import ingestion, reference_data
from reference_pipeline.owners import pipeline_owner
from reference_pipeline.raw_drops import ENTITY_FORMATS
from reference_pipeline.settings import REFERENCE_DIR, load_settings
from reference_pipeline.warehouse import DuckDBWarehouse, Warehouse

OWNER = pipeline_owner()
RAW_ENTITIES = tuple(ENTITY_FORMATS)
LOADED_FILES = "loaded_files"


def raw_key(entity: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity])


def previously_loaded(instance: dg.DagsterInstance, key: dg.AssetKey) -> set[str]:
    """The files the last materialisation of `key` recorded as loaded."""
    event = instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return set()
    value = event.asset_materialization.metadata.get(LOADED_FILES)
    return set(value.value) if value is not None else set()  # type: ignore[arg-type]


def external_raw_specs() -> list[dg.AssetSpec]:
    """In the cloud the raw drops are Snowflake tables filled upstream (Snowpipe): observed, not loaded here.

    The postal-code reference is not among them: `raw_postal_codes` loads the image's DVC-tracked version.
    """
    return [
        dg.AssetSpec(raw_key(entity), description=f"Snowflake raw.{entity}", group_name="raw", owners=[OWNER])
        for entity in RAW_ENTITIES
    ]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            raw_key(entity),
            description=f"Raw {entity} drops ({ENTITY_FORMATS[entity]}), every column as received.",
            group_name="raw",
            kinds={"duckdb", ENTITY_FORMATS[entity]},
            owners=[OWNER],
        )
        for entity in RAW_ENTITIES
    ],
    can_subset=True,
)
def raw_drops(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse):
    """Load the files landed since the last run into raw tables (schema drift adds columns)."""
    landing_dir = Path(load_settings().landing_dir)
    with warehouse.connect() as con:
        for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
            entity = key.path[-1]
            loaded = previously_loaded(context.instance, key) if ingestion.raw_table_exists(con, entity) else set()
            new_files = [path for path in ingestion.landed_files(landing_dir, entity) if path.name not in loaded]
            result = ingestion.load_files(con, entity, new_files)
            if result.columns_added:
                context.log.warning(f"raw.{entity}: schema drift, new columns {', '.join(result.columns_added)}")
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    LOADED_FILES: dg.MetadataValue.json(sorted(loaded | set(result.files))),
                    "new_files": dg.MetadataValue.json(result.files),
                    "rows_loaded": dg.MetadataValue.int(result.rows),
                    "columns_added": dg.MetadataValue.json(result.columns_added),
                    "dagster/row_count": dg.MetadataValue.int(result.total_rows),
                },
            )


@dg.asset(
    key=raw_key("postal_codes"),
    description="French postal-code reference: the DVC-tracked version of apps/pipeline/reference/postal_codes.csv.",
    group_name="raw",
    kinds={"dvc", "csv"},
    owners=[OWNER],
)
def raw_postal_codes(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Locally and in the cloud alike, the warehouse gets the DVC-tracked version (md5 verified and recorded)."""
    version, rows = warehouse.load_reference(REFERENCE_DIR / reference_data.POSTAL_CODES)
    context.log.info(f"postal codes: DVC version md5 {version.md5}, {rows} rows")
    return dg.MaterializeResult(
        metadata={
            "dvc_md5": version.md5,
            "dvc_size": dg.MetadataValue.int(version.size),
            "dvc_pointer": str(version.pointer.relative_to(REFERENCE_DIR.parent)),
            "dagster/row_count": dg.MetadataValue.int(rows),
        },
        data_version=dg.DataVersion(version.md5),
    )
