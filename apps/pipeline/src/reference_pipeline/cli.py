"""`reference-pipeline`: prepare, feed and run the pipeline locally (what `make up` and the tests call).

reference-pipeline prepare               dbt parse (manifest for Dagster) + restore the DVC reference
reference-pipeline generate --drops 1-3  write deterministic raw drops into the landing folder
reference-pipeline run                   materialise every asset (raw -> gold -> DataHub) on DuckDB
reference-pipeline run --full-refresh    the same, rebuilding the incremental silver and gold models
reference-pipeline catalog --out FILE    the exposition API's catalog, generated from the dbt manifest
reference-pipeline dev [--port 3000]     the Dagster UI on this code location (`make dagster`)
reference-pipeline update-reference FILE the update procedure: FILE becomes the tracked and packaged version
reference-pipeline udf-packages --out DIR the zips the Snowflake UDFs import, and the PUT statements to upload them
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reference_pipeline.settings import DBT_PROJECT_DIR, REFERENCE_DIR, load_settings


class PipelineCliError(Exception):
    """An error the user can fix; printed as one line, no traceback."""


def _drop_range(text: str) -> range:
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use N or FIRST-LAST, e.g. 1-3") from None
    if start < 1 or end < start:
        raise argparse.ArgumentTypeError(f"{text!r}: drops are numbered from 1 and FIRST <= LAST")
    return range(start, end + 1)


def local_environment() -> None:
    """Environment every local command needs: dbt offline, Dagster's instance under the work folder."""
    settings = load_settings()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DATAHUB_TELEMETRY_ENABLED", "false")  # acryl-datahub and its Dagster plugin
    os.environ.setdefault("PIPELINE_DUCKDB_PATH", str(settings.warehouse_path))
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(settings.work_dir / "dagster_home")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    instance_config = dagster_home / "dagster.yaml"
    if not instance_config.exists():  # local SQLite storage under the work folder, no telemetry (offline)
        instance_config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    # dbt must be on PATH for dagster-dbt (DESIGN section 5): use the one next to this interpreter.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def dvc_executable() -> Path:
    """DVC lives in its own virtualenv (.venv/dvc), or where PIPELINE_DVC says."""
    return Path(os.environ.get("PIPELINE_DVC", DBT_PROJECT_DIR.parents[2] / ".venv" / "dvc" / "bin" / "dvc"))


def udf_packages(out: Path) -> None:
    from reference_pipeline import udf_packages as packages

    zips = packages.build(out)
    stage = os.environ.get("SNOWFLAKE_UDF_STAGE", "@pipeline_udfs")
    print("\n".join(f"{statement};" for statement in packages.put_statements(zips, stage)))


def update_reference(new_file: Path) -> None:
    """Make `new_file` the tracked reference (`dvc add`) and dataplatform_common's packaged release."""
    from dataplatform_common.normalise import postal

    from reference_pipeline import reference_data

    packaged = Path(postal.__file__).resolve().parents[1] / "data" / "fr_postal_codes.csv"
    version = reference_data.update_reference(
        new_file, REFERENCE_DIR / reference_data.POSTAL_CODES, dvc_executable(), packaged
    )
    print(f"reference postal_codes.csv: tracked md5 {version.md5}, packaged release {packaged} regenerated")
    print("next: `dvc push` (Azure credentials), commit the .dvc pointer and the packaged table")


def prepare() -> None:
    """Parse the dbt project (Dagster loads its manifest) and bring the DVC reference to the tracked version."""
    from dbt.cli.main import dbtRunner

    from reference_pipeline import reference_data

    dvc = dvc_executable()
    how = reference_data.restore_reference(REFERENCE_DIR / reference_data.POSTAL_CODES, dvc if dvc.exists() else None)
    print(f"reference postal_codes.csv: {how}")
    target_path = DBT_PROJECT_DIR / "target"  # where DbtProject looks, whatever DBT_TARGET_PATH says
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    # Same target as the runs, so their dbt invocations can reuse this parse (partial parsing).
    target = ["--target", load_settings().dbt_target, "--target-path", str(target_path)]
    result = dbtRunner().invoke(["parse", "--quiet", *project, *target])
    if not result.success:
        raise PipelineCliError(f"dbt parse failed in {DBT_PROJECT_DIR}: {result.exception}; fix the model it names")
    print(f"dbt manifest: {target_path / 'manifest.json'}")


def generate(drops: range, customers_per_drop: int, landing_dir: Path) -> None:
    from dataplatform_common.normalise.postal import packaged_reference_rows

    from reference_pipeline.raw_drops import write_drops

    codes = sorted({code for code, _ in packaged_reference_rows()})
    files = write_drops(landing_dir, codes, drops, customers_per_drop)
    print(f"wrote {len(files)} raw files (drops {drops.start}-{drops.stop - 1}) into {landing_dir}")


def check_evaluations(result: Any) -> list[Any]:
    """The AssetCheckEvaluation of every check the run executed."""
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and event.event_specific_data is not None
    ]


def run_config(full_refresh: bool = False) -> dict[str, Any]:
    """The job's run config: console log level, and `--full-refresh` for the dbt step (assets/dbt.py)."""
    config: dict[str, Any] = {
        "loggers": {"console": {"config": {"log_level": os.environ.get("PIPELINE_LOG_LEVEL", "INFO")}}}
    }
    if full_refresh:
        config["ops"] = {"dbt_build": {"config": {"full_refresh": True}}}
    return config


def run(full_refresh: bool = False) -> int:
    """Materialise the whole job in this process; returns 0 when every step and blocking check passed."""
    import dagster as dg

    from reference_pipeline.definitions import defs

    instance = dg.DagsterInstance.get()
    result = defs.resolve_job_def("reference_pipeline").execute_in_process(
        run_config=run_config(full_refresh), instance=instance, raise_on_error=False
    )
    materialised = sorted(
        event.asset_key.to_user_string()
        for event in result.all_events
        if event.is_step_materialization and event.asset_key is not None
    )
    failed_checks = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in check_evaluations(result)
        if not evaluation.passed
    ]
    print(
        f"run {result.run_id}: {'succeeded' if result.success else 'FAILED'}; {len(materialised)} assets materialised"
    )
    for name in failed_checks:
        print(f"  failed check: {name}")
    return 0 if result.success and not failed_checks else 1


def dev_command(port: int) -> list[str]:
    """`dagster dev` on this code location, bound to 127.0.0.1, from this interpreter's environment."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    return [dagster, "dev", "-m", "reference_pipeline.definitions", "-h", "127.0.0.1", "-p", str(port)]


def dev(port: int) -> None:
    """Prepare (and feed a first set of drops on a fresh work folder), then replace this process with the UI.

    The Dagster instance is the one `reference-pipeline run` and `make up` write to (DAGSTER_HOME under the
    work folder), so their runs, asset checks and lineage show in the UI.
    """
    prepare()
    landing = load_settings().landing_dir
    if not (landing / "customers").is_dir():
        generate(range(1, 4), 500, landing)
    home = os.environ.get("DAGSTER_HOME", "")  # set by local_environment()
    print(f"Dagster UI: http://127.0.0.1:{port} (instance {home}); Ctrl-C stops it", flush=True)
    command = dev_command(port)
    os.execv(command[0], command)


def write_catalog(out: Path) -> None:
    from reference_pipeline.catalog import catalog_from_manifest, write_catalog_file

    catalog = catalog_from_manifest(DBT_PROJECT_DIR / "target" / "manifest.json")
    write_catalog_file(catalog, out)
    print(f"catalog: {len(catalog['datasets'])} gold datasets -> {out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reference-pipeline", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare", help="dbt parse + restore the DVC-tracked reference")
    gen = sub.add_parser("generate", help="write deterministic raw drops")
    gen.add_argument("--drops", type=_drop_range, default=range(1, 4), help="N or FIRST-LAST (default 1-3)")
    gen.add_argument("--customers-per-drop", type=int, default=500)
    gen.add_argument("--landing", type=Path, default=None, help="default: $PIPELINE_LANDING_DIR")
    run_parser = sub.add_parser("run", help="materialise every asset on the local DuckDB warehouse")
    run_parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models (schema change, backfill)"
    )
    cat = sub.add_parser("catalog", help="write the exposition API catalog from the dbt manifest")
    cat.add_argument("--out", type=Path, required=True)
    ui = sub.add_parser("dev", help="prepare, then serve the Dagster UI on this code location (dagster dev)")
    ui.add_argument("--port", type=int, default=3000)
    udf = sub.add_parser("udf-packages", help="build the zips the Snowflake UDFs import (print their PUT statements)")
    udf.add_argument("--out", type=Path, required=True)
    upd = sub.add_parser("update-reference", help="FILE -> the DVC-tracked reference and the packaged release")
    upd.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    local_environment()
    try:
        if args.command == "prepare":
            prepare()
        elif args.command == "generate":
            generate(args.drops, args.customers_per_drop, args.landing or load_settings().landing_dir)
        elif args.command == "run":
            return run(args.full_refresh)
        elif args.command == "catalog":
            write_catalog(args.out)
        elif args.command == "dev":
            dev(args.port)
        elif args.command == "udf-packages":
            udf_packages(args.out)
        elif args.command == "update-reference":
            update_reference(args.file)
    except PipelineCliError as error:
        print(f"reference-pipeline {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # one line for the errors users can act on (bad reference, bad landing)
        from reference_pipeline.reference_data import ReferenceDataError

        if isinstance(error, ReferenceDataError | OSError | ValueError):
            print(f"reference-pipeline {args.command}: {error}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
