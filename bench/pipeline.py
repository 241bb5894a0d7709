"""Benchmark: about 1M raw rows to gold, the pipeline vs one hand-written DuckDB SQL script.

    .venv/pipelines/bin/python bench/pipeline.py [--rows 1000000] [--drops 4] [--keep DIR] [--hourly]

Both sides start from the same landed files and the same DVC-tracked reference, apply the same
normalisation functions (dataplatform_common, as DuckDB UDFs) and build the same gold tables; the
bench checks their gold row counts agree. The pipeline side is the real Dagster job (ingestion, dbt
bronze/silver/gold with their tests, Great Expectations and row-count checks, serving file, DataHub file
sink), timed from the start of the run (dbt parse is a build step, done before); the script side is
bench/pipeline_baseline.sql. Each side runs in a fresh process; peak memory is
the largest resident set of that process and the processes it waited for (dbt). Target: ratio <= 2x.

`--hourly` then lands one more drop and times the run that follows, incremental (what the hourly schedule
does) against `--full-refresh` (a rebuild of silver and gold), each on its own copy of the pipeline's work
folder; both must give the same gold row counts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE_SQL = REPO / "bench" / "pipeline_baseline.sql"
GOLD_TABLES = ("customers", "policies", "claims", "premiums_monthly", "ref_postal_codes")


def _peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


def _gold_counts(database: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        return {t: con.execute(f"select count(*) from gold.{t}").fetchone()[0] for t in GOLD_TABLES}


def run_pipeline(work: Path, full_refresh: bool = False) -> dict[str, object]:
    """Child process: the whole Dagster job on the work folder's warehouse and instance (fresh on the first run)."""
    os.environ.update(
        PIPELINE_WORK_DIR=str(work),
        PIPELINE_DUCKDB_PATH=str(work / "warehouse.duckdb"),
        DAGSTER_HOME=str(work / "dagster_home"),
    )
    from reference_pipeline import cli

    cli.local_environment()
    # Build step, not run time: the image bakes the manifest in (dbt parse), as `make up` does before running;
    # parsing here with this run's settings also lets the run's dbt invocations parse partially.
    cli.prepare()
    started = time.perf_counter()
    import reference_pipeline.definitions  # noqa: F401  (code location load: Dagster, dbt, GX, DataHub imports)

    loaded = time.perf_counter()
    code = cli.run(full_refresh)
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit("bench: the pipeline run failed; see its output above")
    return {
        "seconds": elapsed,
        "load_seconds": loaded - started,
        "profile": _profile_last_run(),
        "peak_mib": _peak_rss_mib(),
        "gold": _gold_counts(work / "warehouse.duckdb"),
    }


def _profile_last_run() -> dict[str, object]:
    """Where the run's time went: each Dagster step (event timestamps) and each dbt invocation (run_results)."""
    import dagster as dg
    from reference_pipeline.settings import DBT_PROJECT_DIR

    instance = dg.DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    started: dict[str, float] = {}
    steps: dict[str, float] = {}
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            steps[event.step_key] = record.timestamp - started[event.step_key]
    dbt: dict[str, object] = {}
    for results in sorted((DBT_PROJECT_DIR / "target").glob(f"*-{run.run_id[:8]}/run_results.json")):
        data = json.loads(results.read_text(encoding="utf-8"))
        nodes = sorted(data["results"], key=lambda r: -r["execution_time"])
        dbt[results.parent.name.rsplit("-", 1)[0]] = {
            "elapsed": data["elapsed_time"],
            "models": sum(r["execution_time"] for r in nodes if r["unique_id"].startswith("model.")),
            "tests": sum(r["execution_time"] for r in nodes if r["unique_id"].startswith("test.")),
            "nodes": len(nodes),
            "slowest": [(r["unique_id"].split(".")[-1], round(r["execution_time"], 2)) for r in nodes[:5]],
        }
    return {"steps": steps, "dbt": dbt}


def run_script(work: Path, landing: Path) -> dict[str, object]:
    """Child process: the single SQL script with the same UDFs."""
    import duckdb
    from reference_pipeline.dbt_udfs import register_functions
    from reference_pipeline.reference_data import POSTAL_CODES
    from reference_pipeline.settings import REFERENCE_DIR

    sql = BASELINE_SQL.read_text(encoding="utf-8")
    sql = sql.replace("{landing}", str(landing)).replace("{reference}", str(REFERENCE_DIR / POSTAL_CODES))
    database = work / "script.duckdb"
    started = time.perf_counter()
    con = duckdb.connect(str(database), config={"threads": 2})
    register_functions(con)
    con.execute(sql)
    con.close()
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "peak_mib": _peak_rss_mib(), "gold": _gold_counts(database)}


def _child(variant: str, work: Path, landing: Path) -> dict[str, object]:
    env = {**os.environ, "PIPELINE_LANDING_DIR": str(landing)}
    command = [sys.executable, __file__, "--child", variant, "--work", str(work), "--landing", str(landing)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"bench: the {variant} side failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="approximate raw rows (default 1M)")
    parser.add_argument("--drops", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temp folder)")
    parser.add_argument("--hourly", action="store_true", help="then one more drop: incremental run vs full refresh")
    parser.add_argument("--child", choices=["pipeline", "pipeline-full-refresh", "script"], help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        args.work.mkdir(parents=True, exist_ok=True)
        if args.child == "script":
            result = run_script(args.work, args.landing)
        else:
            result = run_pipeline(args.work, full_refresh=args.child == "pipeline-full-refresh")
        print(json.dumps(result))
        return 0

    os.environ.setdefault("PIPELINE_DUCKDB_PATH", "/tmp/reference-pipeline-parse.duckdb")
    from reference_pipeline import cli
    from reference_pipeline.raw_drops import customers_for_rows

    cli.local_environment()
    cli.prepare()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = args.keep or Path(tmp)
        landing = root / "landing"
        customers = customers_for_rows(args.rows, args.drops)
        started = time.perf_counter()
        cli.generate(range(1, args.drops + 1), customers, landing)
        raw_rows = _count_raw_rows(landing)
        print(
            f"generated {raw_rows:,} raw rows in {args.drops} drops ({time.perf_counter() - started:.1f} s, not timed)"
        )
        script = _child("script", root / "script", landing)
        pipeline = _child("pipeline", root / "pipeline", landing)
        hourly = _hourly(root, landing, args.drops + 1, customers) if args.hourly else None

    print(f"{'':<10}{'wall s':>10}{'peak MiB':>12}   gold rows")
    for name, result in (("script", script), ("pipeline", pipeline)):
        gold = ", ".join(f"{t}={n:,}" for t, n in result["gold"].items())  # type: ignore[union-attr]
        print(f"{name:<10}{result['seconds']:>10.1f}{result['peak_mib']:>12.0f}   {gold}")
    ratio = float(pipeline["seconds"]) / float(script["seconds"])  # type: ignore[arg-type]
    loaded_run = float(pipeline["seconds"]) - float(pipeline["load_seconds"])  # type: ignore[arg-type]
    memory_ratio = float(pipeline["peak_mib"]) / float(script["peak_mib"])  # type: ignore[arg-type]
    same = pipeline["gold"] == script["gold"]
    print(f"wall-time ratio pipeline/script: {ratio:.2f}x (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
    print(
        f"  of which code location load {float(pipeline['load_seconds']):.1f} s; run alone (code server already "  # type: ignore[arg-type]
        f"loaded) {loaded_run:.1f} s = {loaded_run / float(script['seconds']):.2f}x"  # type: ignore[arg-type]
    )
    print(f"peak-memory ratio pipeline/script: {memory_ratio:.2f}x")
    _print_profile(pipeline["profile"])  # type: ignore[arg-type]
    print(f"gold row counts identical: {'yes' if same else 'NO'}")
    if hourly is not None:
        same = _print_hourly(*hourly) and same
    return 0 if same else 1


def _hourly(root: Path, landing: Path, drop: int, customers: int) -> tuple[dict[str, object], dict[str, object]]:
    """One more drop on top of the pipeline's state: the incremental run, and a full refresh on a copy."""
    from reference_pipeline import cli

    for name in ("incremental", "full-refresh"):
        shutil.copytree(root / "pipeline", root / name)
    cli.generate(range(drop, drop + 1), customers, landing)
    incremental = _child("pipeline", root / "incremental", landing)
    full_refresh = _child("pipeline-full-refresh", root / "full-refresh", landing)
    return incremental, full_refresh


def _print_hourly(incremental: dict[str, object], full_refresh: dict[str, object]) -> bool:
    print(f"hourly run after one more drop:{'wall s':>10}{'dbt_build s':>14}")
    for name, result in (("incremental", incremental), ("full refresh", full_refresh)):
        dbt = result["profile"]["steps"].get("dbt_build", float("nan"))  # type: ignore[index,union-attr]
        print(f"  {name:<29}{float(result['seconds']):>10.1f}{float(dbt):>14.1f}")  # type: ignore[arg-type]
    ratio = float(full_refresh["seconds"]) / float(incremental["seconds"])  # type: ignore[arg-type]
    same = incremental["gold"] == full_refresh["gold"]
    print(f"  full refresh / incremental: {ratio:.2f}x; gold row counts identical: {'yes' if same else 'NO'}")
    return same


def _print_profile(profile: dict[str, dict[str, object]]) -> None:
    print("pipeline steps (Dagster event timestamps, s):")
    for step, seconds in sorted(profile["steps"].items(), key=lambda item: -float(item[1])):  # type: ignore[arg-type]
        print(f"  {step:<55}{float(seconds):>7.1f}")  # type: ignore[arg-type]
    for step, info in profile["dbt"].items():
        data = dict(info)  # type: ignore[call-overload]
        print(
            f"  dbt {step}: {data['nodes']} nodes, dbt elapsed {data['elapsed']:.1f} s "
            f"(models {data['models']:.1f} s, tests {data['tests']:.1f} s); slowest {data['slowest']}"
        )


def _count_raw_rows(landing: Path) -> int:
    import duckdb

    con = duckdb.connect()
    total = 0
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        for path in folder.iterdir():
            reader = "read_csv" if path.suffix == ".csv" else "read_parquet"
            total += con.execute(f"select count(*) from {reader}('{path}')").fetchone()[0]
    return total


if __name__ == "__main__":
    sys.exit(main())
