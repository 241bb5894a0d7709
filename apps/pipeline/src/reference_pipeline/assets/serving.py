"""Publish gold for the exposition API: a separate DuckDB file, replaced atomically.

The API opens its file read-only while the pipeline keeps writing the warehouse; one DuckDB file cannot
have a writer in one process and readers in another, hence the copy. Tables keep their gold names, and
`meta_refresh (dataset, refreshed_at, row_count)` says when each was refreshed (the API's /v1/datasets).
"""

from pathlib import Path

import dagster as dg
import duckdb

from reference_pipeline.checks.assets_checks import GOLD_TABLES
from reference_pipeline.owners import pipeline_owner
from reference_pipeline.settings import load_settings
from reference_pipeline.warehouse import DuckDBWarehouse, Warehouse

OWNER = pipeline_owner()


def publish_gold(warehouse_path: Path, serving_path: Path) -> dict[str, int]:
    """Copy every gold table into `serving_path` (atomic replace); returns rows per table."""
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = serving_path.with_name(serving_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        quoted = str(warehouse_path).replace("'", "''")
        con.execute(f"attach '{quoted}' as warehouse (read_only)")
        for table in GOLD_TABLES:
            con.execute(f'create table "{table}" as select * from warehouse.gold."{table}"')
            row = con.execute(f'select count(*) from "{table}"').fetchone()
            counts[table] = int(row[0]) if row else 0
        con.execute("create table meta_refresh (dataset varchar primary key, refreshed_at timestamp, row_count bigint)")
        con.executemany(
            "insert into meta_refresh values (?, cast(current_timestamp as timestamp), ?)", list(counts.items())
        )
        con.execute("detach warehouse")
    finally:
        con.close()
    tmp.replace(serving_path)
    return counts


@dg.asset(
    key=["serving", "gold"],
    deps=[dg.AssetKey(["gold", table]) for table in GOLD_TABLES],
    description="Gold marts published to the exposition API's DuckDB file (atomic replace).",
    group_name="serving",
    kinds={"duckdb"},
    owners=[OWNER],
)
def serving_gold(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    settings = load_settings()
    counts = publish_gold(Path(warehouse.path), settings.serving_path)
    context.log.info(f"published {sum(counts.values())} rows to {settings.serving_path}")
    return dg.MaterializeResult(metadata={"path": str(settings.serving_path), "rows": dg.MetadataValue.json(counts)})


@dg.asset(
    key=["publish", "gold"],
    deps=[dg.AssetKey(["gold", table]) for table in GOLD_TABLES],
    description="Audited gold made the published gold the exposition API reads (write-audit-publish).",
    group_name="serving",
    owners=[OWNER],
)
def publish_audited_gold(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Runs only when every gold table and its blocking checks succeeded (Dagster skips it otherwise)."""
    counts = warehouse.publish(GOLD_TABLES)
    context.log.info(f"published {sum(counts.values())} rows of {len(counts)} gold tables")
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.json(counts)})
