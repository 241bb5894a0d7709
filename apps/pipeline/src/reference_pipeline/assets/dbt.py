"""The dbt project as Dagster assets: ONE `dbt build` over bronze, silver and gold.

dbt runs each model's tests right after the model and skips the models downstream of a failed test, so a
failing dbt test on a silver table keeps the gold built from it from being built, within one invocation. A
failed test fails the step, so the serving file and DataHub are not refreshed either. The Great Expectations
suites run after the build, as blocking Dagster asset checks (`checks/assets_checks.py`). Asset keys follow
the warehouse: `raw/<table>` for sources, `<layer>/<table>` for models.
"""

import importlib
import json
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from reference_pipeline.dbt_meta import meta_of
from reference_pipeline.owners import dbt_owners
from reference_pipeline.settings import DBT_PROJECT_DIR, load_settings

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=os.environ.get("DBT_TARGET", "duckdb"),
)


def _prepare_manifest() -> None:
    """dbt parse before the manifest is read, where nothing has parsed the project yet.

    Under `dagster dev`, on every load (dagster-dbt's `prepare_if_dev`: edited models show up); elsewhere only
    when the manifest is missing, so `dagster definitions validate` works on a fresh clone. The image and
    `reference-pipeline prepare` parse beforehand, so neither parses here. The local profile needs the DuckDB
    path, and dagster-dbt's preparer runs the `dbt` found on PATH.
    """
    dev = dbt_project.preparer.using_dagster_dev()
    if not dev and dbt_project.manifest_path.exists():
        return
    os.environ.setdefault("PIPELINE_DUCKDB_PATH", str(load_settings().warehouse_path))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if shutil.which("dbt") is None:
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    if dev:
        dbt_project.prepare_if_dev()
    else:
        dbt_project.preparer.prepare(dbt_project)


_prepare_manifest()


class LayeredTranslator(DagsterDbtTranslator):
    """`raw/customers` for a source, `silver/customers` for the model silver_customers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        config = dbt_resource_props.get("config", {})
        return dg.AssetKey([config.get("schema") or "main", config.get("alias") or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or "raw"

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        """Gold marts carry a freshness policy: older than PIPELINE_FRESHNESS_HOURS fails (the UI, alerts)."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name != "gold":
            return spec
        # Dagster's floor is one minute (tests set PIPELINE_FRESHNESS_HOURS to seconds to make data stale).
        fail = max(timedelta(hours=load_settings().freshness_hours), timedelta(minutes=1))
        warn = timedelta(hours=2) if fail > timedelta(hours=2) else None  # hourly schedule: two missed runs
        return spec.replace_attributes(
            freshness_policy=dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)
        )

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return dbt_owners(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        classification = meta_of(dbt_resource_props).get("classification")
        return {"classification": classification} if classification else {}


translator = LayeredTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class BundledDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, minus one `dbt --version` subprocess per dbt step.

    dagster-dbt learns the dbt version by running `dbt --version` (a full dbt start-up: ~5 s on this
    2-core machine) before each invocation. When the executable is the dbt of this interpreter's own
    environment, its version is the installed dbt-core distribution's: read it from the metadata.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == Path(sys.executable).with_name("dbt"):
            return version.parse(installed_version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]


def dbt_resource() -> DbtCliResource:
    """dbt CLI pointed at this project; the warehouse path reaches the profile through the environment."""
    settings = load_settings()
    os.environ.setdefault("PIPELINE_DUCKDB_PATH", str(settings.warehouse_path))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # The dbt of this interpreter's environment, whatever PATH says (DESIGN section 5: dbt must be found).
    bundled = Path(sys.executable).with_name("dbt")
    return BundledDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        target=settings.dbt_target,
        dbt_executable=str(bundled) if bundled.exists() else "dbt",
    )


def _with_row_counts(context: dg.AssetExecutionContext, events: list[Any], warehouse_path: str) -> list[Any]:
    """Add `dagster/row_count` to each model's output (the row-count anomaly check compares runs).

    Counted after dbt has exited: DuckDB allows one writing process, and dbt's was it until then.
    """
    import duckdb

    counted: list[Any] = []
    with duckdb.connect(warehouse_path, read_only=True) as con:
        for event in events:
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
            elif isinstance(event, dg.AssetMaterialization):
                key = event.asset_key
            else:
                key = None
            if key is not None and len(key.path) == 2:
                row = con.execute(f'select count(*) from "{key.path[0]}"."{key.path[1]}"').fetchone()
                event = event.with_metadata({**event.metadata, "dagster/row_count": dg.MetadataValue.int(int(row[0]))})
            counted.append(event)
    return counted


def prepared_target_dir() -> Path:
    """The project's own target folder: the manifest and parse of `reference-pipeline prepare` or the image build."""
    return dbt_project.manifest_path.parent


@contextmanager
def run_target_dir(context: dg.AssetExecutionContext) -> Iterator[Path]:
    """A scratch target folder for one dbt invocation, seeded with the prepared parse, removed afterwards.

    Under `DBT_TARGET_PATH` (the image sets /tmp/dbt-target: its root filesystem, the dbt project included,
    is read-only), else the system temporary folder; never under the project. dagster-dbt gives each
    invocation a fresh target folder, where dbt finds no partial_parse.msgpack and re-parses the whole project
    (10-20 s here); copying the prepared parse in lets it parse partially (dbt still re-parses fully when the
    profile, target or vars differ from the prepared ones). Each folder holds ~4 MB of artifacts the run has
    already recorded in Dagster, so it is deleted when the invocation is over, failed or not.
    """
    root = Path(os.environ.get("DBT_TARGET_PATH") or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{context.op_def.name}-{context.run.run_id[:8]}-", dir=root))
    try:
        prepared = prepared_target_dir() / "partial_parse.msgpack"
        if prepared.exists():
            shutil.copyfile(prepared, path / prepared.name)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def dbt_events(invocation: Any, local: bool) -> Iterator[Any]:
    """dbt's events; on Snowflake with `dagster/row_count` from dagster-dbt's `fetch_row_counts()`.

    On Snowflake dagster-dbt counts each model's rows through the dbt adapter while dbt runs; the local DuckDB
    file is held by the dbt process until it exits, so there the counts are read afterwards (`_with_row_counts`).
    """
    stream = invocation.stream()
    return iter(stream if local else stream.fetch_row_counts())


class DbtBuildConfig(dg.Config):
    """Run config of the `dbt_build` step (Launchpad, or `reference-pipeline run --full-refresh`)."""

    full_refresh: bool = False
    """Rebuild the incremental silver and gold models from bronze (`dbt build --full-refresh`): after a model's
    columns changed (the models fail with on_schema_change: fail until then), or to backfill."""


def build_args(config: DbtBuildConfig) -> list[str]:
    return ["build", "--full-refresh"] if config.full_refresh else ["build"]


def preload_great_expectations() -> threading.Thread:
    """Import Great Expectations in a background thread while dbt (another process) builds.

    Locally the suites' step runs next in this same process (in-process executor), and the import is seconds
    of CPU the otherwise idle core can do now; the code location itself does not import GE (it loads faster).
    In the cloud every step is a process of its own: nothing to gain there.
    """
    thread = threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True)
    thread.start()
    return thread


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    """Run `dbt build`; test results are recorded as dbt reports them, model outputs once dbt has exited.

    Recording an event costs the Dagster process a storage write: doing it for the ~50 test results while
    dbt still works (another process) overlaps both. Outputs wait for dbt's exit because their row counts
    are read from the warehouse, which dbt holds until then.
    """
    outputs: list[Any] = []
    settings = load_settings()
    if settings.is_local:
        preload_great_expectations()
    with run_target_dir(context) as target_path:
        invocation = dbt.cli(build_args(config), context=context, raise_on_error=False, target_path=target_path)
        for event in dbt_events(invocation, settings.is_local):
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                outputs.append(event)
            else:
                yield event
        succeeded = invocation.is_successful()
        error = None if succeeded else invocation.get_error()
    if settings.is_local:
        outputs = _with_row_counts(context, outputs, str(settings.warehouse_path))
    yield from outputs
    if not succeeded:
        raise error or RuntimeError("dbt build failed")


def read_manifest() -> dict:
    """dbt's manifest of the project this code location runs (parsed when the image or `prepare` built it)."""
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=translator, name="dbt_build")
def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    yield from _build(context, dbt, config)
