"""Where the pipeline reads and writes, from environment variables (no secrets in code or Git).

Locally everything defaults to files under `build/pipeline/` of the repository; in the cluster the
Dagster user deployment sets the variables (Snowflake credentials and DataHub token from ExternalSecrets).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
APP_DIR = PACKAGE_DIR.parents[1]
DBT_PROJECT_DIR = Path(os.environ.get("PIPELINE_DBT_PROJECT_DIR", APP_DIR / "dbt"))
REFERENCE_DIR = Path(os.environ.get("PIPELINE_REFERENCE_DIR", APP_DIR / "reference"))
DEFAULT_WORK_DIR = APP_DIR.parents[1] / "build" / "pipeline"

DUCKDB_TARGET = "duckdb"
SNOWFLAKE_TARGET = "snowflake"
# Private: never `$web`, whose static website would make the failing-value samples public.
DATA_DOCS_CONTAINER = "data-docs"


@dataclass(frozen=True)
class PipelineSettings:
    """Paths and switches of one pipeline deployment."""

    work_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    lineage_file: Path
    dbt_target: str
    datahub_gms_url: str | None
    datahub_env: str
    datahub_platform_instance: str | None
    snowflake_database: str
    freshness_hours: float
    data_docs_dir: Path
    data_docs_account_url: str | None  # the cluster: Data Docs uploaded to this Azure Blob account
    data_docs_container: str

    @property
    def is_local(self) -> bool:
        return self.dbt_target == DUCKDB_TARGET


def load_settings(environ: os._Environ[str] | dict[str, str] | None = None) -> PipelineSettings:
    """Read the settings; every value has a local default so `make up` needs no configuration."""
    env = os.environ if environ is None else environ
    work_dir = Path(env.get("PIPELINE_WORK_DIR", DEFAULT_WORK_DIR))
    return PipelineSettings(
        work_dir=work_dir,
        landing_dir=Path(env.get("PIPELINE_LANDING_DIR", work_dir / "landing")),
        warehouse_path=Path(env.get("PIPELINE_DUCKDB_PATH", work_dir / "warehouse.duckdb")),
        serving_path=Path(env.get("PIPELINE_SERVING_PATH", work_dir / "gold.duckdb")),
        lineage_file=Path(env.get("PIPELINE_LINEAGE_FILE", work_dir / "datahub" / "lineage.json")),
        dbt_target=env.get("DBT_TARGET", DUCKDB_TARGET),
        datahub_gms_url=env.get("DATAHUB_GMS_URL") or None,
        # DataHub fabric (DEV, STG, PROD) and platform instance: set per env in platform/dagster values.
        datahub_env=env.get("DATAHUB_ENV", "DEV"),
        datahub_platform_instance=env.get("DATAHUB_PLATFORM_INSTANCE", "") or None,  # optional
        snowflake_database=env.get("SNOWFLAKE_DATABASE", "ANALYTICS"),
        freshness_hours=float(env.get("PIPELINE_FRESHNESS_HOURS", "24")),
        data_docs_dir=Path(env.get("PIPELINE_DATA_DOCS_DIR", work_dir / "data_docs")),
        data_docs_account_url=env.get("PIPELINE_DATA_DOCS_ACCOUNT_URL") or None,
        data_docs_container=env.get("PIPELINE_DATA_DOCS_CONTAINER", DATA_DOCS_CONTAINER),
    )
