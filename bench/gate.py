"""Benchmark of the offline manifest gate: wall and CPU time per stage for every env, cold and warm.

    .venv/tooling/bin/python bench/gate.py [--chart-cache DIR] [--repeat-schema-seconds 1.0]

Works on scratch copies of the repository (the checkout is never modified), each with its own render
cache, twice: offline (no chart cache: upstream charts values-checked only, as CI without network)
and, when a chart cache is given (--chart-cache, default $PLATFORM_CHART_CACHE), with every upstream
archive it holds rendered too (as CI after `make charts`). Each time, three rounds, each in a new
process (as `platformctl validate --all` runs: nothing parsed or compiled in memory beforehand):
  cold    empty render cache: every chart rendered by helm, every manifest parsed;
  warm    nothing changed: every render (and its parsed objects) served from the cache;
  1 app   one in-repo Application's env value file changed: only that one re-rendered.
Every stage `run_gates` times is a column, whatever stages it has (new gates need no bench change);
the stages beyond render/schema/values/graph are summed as "new gates". CPU time (this process and
its helm calls) is printed beside wall time: on a busy machine wall time inflates with the load.
Then schema throughput: every object rendered for all envs validated again in a bounded loop, with
validators already compiled (what a second env of the same Kubernetes version costs) and cold.
Targets (issues 2 and 12): all envs < 15 s cold, new gates <= half of it, < 3 s with one Application
changed, schema >= 2,000 objects/s per core. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from platformctl import schemas
from platformctl.crds import CrdCatalogue
from platformctl.environments import list_environments
from platformctl.gate import EnvReport, run_gates
from platformctl.paths import CHART_CACHE_ENV_VAR, repo_root, upstream_mirror

BASE_STAGES = ("render", "schema", "values", "graph")  # the gates of issue 2; any other stage is a new gate
SKIP = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "build", "__pycache__", "*.duckdb", "node_modules")
TARGET_COLD, TARGET_ONE_CHANGED, TARGET_OBJECTS_PER_CORE, TARGET_NEW_SHARE = 15.0, 3.0, 2000.0, 0.5


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def run_round(root: Path, cache: Path, out: Path, mirror: Path, charts: Path) -> dict[str, Any]:
    """One round in this process: every env through run_gates; figures as a JSON-able dict."""
    started, cpu = time.perf_counter(), _cpu()
    reports = [
        run_gates(env.name, root=root, mirror=mirror, charts=charts, render_cache=cache, out_dir=out / env.name)
        for env in list_environments(root)
    ]
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    envs = []
    for report in reports:
        apps = report.rendered.applications if report.rendered else []
        envs.append(
            {
                "env": report.env,
                "timings": report.timings,
                "objects": report.objects_validated,
                "rendered": sum(app.rendered for app in apps),
                "cached": sum(app.from_cache for app in apps),
                "apps": len(apps),
                "errors": sum(1 for f in report.findings if f.severity == "error"),
                # an in-repo Application and its env value file, for the "one changed" round
                "changeable": next(
                    ([a.name, str(a.value_paths[-1])] for a in apps if a.rendered and a.source == "in-repo"), None
                ),
            }
        )
    return {"wall": wall, "cpu": cpu, "envs": envs}


def round_in_new_process(root: Path, cache: Path, out: Path, mirror: Path, charts: Path) -> dict[str, Any]:
    """run_round in a fresh interpreter on the copy `root` (PLATFORM_REPO_ROOT: its own .cache)."""
    env = {**os.environ, "PLATFORM_REPO_ROOT": str(root)}
    command = [sys.executable, __file__, "--round", *(str(p) for p in (root, cache, out, mirror, charts))]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench round failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def print_round(label: str, result: dict[str, Any], target: float | None) -> None:
    """Wall time (what a person waits), CPU time (what the cores did), one column per stage run_gates
    timed, and the share of the stages beyond render/schema/values/graph."""
    envs = result["envs"]
    stages = list(dict.fromkeys(stage for env in envs for stage in env["timings"]))
    budget = f" (target < {target:.0f} s)" if target else ""
    load = os.getloadavg()[0]
    print(f"\n{label}: {result['wall']:.2f} s wall{budget}, {result['cpu']:.2f} s CPU, load average {load:.1f}")
    width = max([9, *(len(stage) + 2 for stage in stages)])
    header = "".join(f"{stage:>{width}}" for stage in stages)
    print(f"  {'env':<8}{header}{'objects':>9}{'rendered':>10}{'cached':>8}{'apps':>6}")
    for env in envs:
        times = "".join(f"{env['timings'].get(stage, 0.0):>{width - 1}.2f}s" for stage in stages)
        counts = f"{env['objects']:>9}{env['rendered']:>10}{env['cached']:>8}{env['apps']:>6}"
        print(f"  {env['env']:<8}{times}{counts}")
    total = sum(sum(env["timings"].values()) for env in envs)
    new = sum(t for env in envs for stage, t in env["timings"].items() if stage not in BASE_STAGES)
    names = ", ".join(stage for stage in stages if stage not in BASE_STAGES) or "none"
    share = new / total if total else 0.0
    verdict = "meets" if share <= TARGET_NEW_SHARE else "ABOVE"
    print(f"  new gates ({names}): {new:.2f} s of {total:.2f} s staged ({share:.0%}, {verdict} target <= 50%)")


def change_one_application(env_file: Path) -> None:
    """Append a harmless change to the env value file of an in-repo Application."""
    env_file.write_text(env_file.read_text(encoding="utf-8") + f"\n# bench change {time.time()}\n", encoding="utf-8")


def schema_throughput(reports: list[EnvReport], mirror: Path, budget: float) -> None:
    targets = [
        (report.rendered.kubernetes_version, schemas.Target(obj, app.name, ""))
        for report in reports
        if report.rendered
        for app in report.rendered.applications
        for obj in app.objects
    ] + [
        (report.rendered.kubernetes_version, schemas.Target(obj, "_root", ""))
        for report in reports
        if report.rendered
        for obj in report.rendered.root_objects
    ]
    if not targets:
        print("\nschema throughput: no rendered objects")
        return
    crds = CrdCatalogue(mirror)
    schemas.clear_caches()
    started = time.perf_counter()
    for version, target in targets:
        schemas.validate_objects("bench", version, [target], crds)
    cold = len(targets) / (time.perf_counter() - started)
    count, started = 0, time.perf_counter()
    deadline = started + budget
    for _ in range(10_000):  # bounded in count and in time
        for version, target in targets:
            schemas.validate_objects("bench", version, [target], crds)
        count += len(targets)
        if time.perf_counter() > deadline:
            break
    warm = count / (time.perf_counter() - started)
    verdict = "meets" if warm >= TARGET_OBJECTS_PER_CORE else "BELOW"
    print(f"\nschema throughput (one core, {len(targets)} distinct objects):")
    print(f"  compiled validators: {warm:,.0f} objects/s ({verdict} target {TARGET_OBJECTS_PER_CORE:,.0f}/s/core)")
    print(f"  including compiling every validator once: {cold:,.0f} objects/s")


def scenario(label: str, base: Path, mirror: Path, charts: Path) -> Path:
    """Cold, warm and one-changed rounds on a fresh copy of the repository with its own render cache."""
    root = base / "repo"
    shutil.copytree(repo_root(), root, ignore=SKIP)
    cache, out = base / "render-cache", base / "out"
    print(f"\n=== {label}")
    cold = round_in_new_process(root, cache, out, mirror, charts)
    print_round("cold (empty render cache)", cold, TARGET_COLD)
    warm = round_in_new_process(root, cache, out, mirror, charts)
    print_round("warm (nothing changed)", warm, TARGET_ONE_CHANGED)
    env = warm["envs"][0]
    app, value_file = env["changeable"]
    change_one_application(Path(value_file))
    one = round_in_new_process(root, cache, out, mirror, charts)
    print_round(f"warm, one Application changed ({app} in {env['env']})", one, TARGET_ONE_CHANGED)
    errors = sum(env["errors"] for env in cold["envs"])
    print(f"findings in the cold run: {errors} error(s) (the bench measures speed, not correctness)")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chart-cache", default=os.environ.get(CHART_CACHE_ENV_VAR), help="upstream chart archives")
    parser.add_argument("--repeat-schema-seconds", type=float, default=1.0, help="time budget of the schema loop")
    parser.add_argument("--round", nargs=5, metavar="PATH", help=argparse.SUPPRESS)  # internal: one round
    args = parser.parse_args()
    if args.round:
        print(json.dumps(run_round(*(Path(p) for p in args.round))))
        return 0
    mirror = upstream_mirror()
    print(f"repository {repo_root()}, mirror {mirror}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as scratch:
        base = Path(scratch)
        none = base / "none"
        charts = none
        scenario("offline: no chart cache (upstream charts values-checked only)", base / "offline", mirror, none)
        if args.chart_cache:
            charts = Path(args.chart_cache).resolve()
            archives = sorted(p.name for p in charts.glob("*.tgz"))
            scenario(f"chart cache {charts} ({len(archives)} archives)", base / "cached", mirror, charts)
        root = base / ("cached" if args.chart_cache else "offline") / "repo"
        reports = [
            run_gates(e.name, root=root, mirror=mirror, charts=charts, render_cache=base / "schema-cache")
            for e in list_environments(root)
        ]
        schema_throughput(reports, mirror, args.repeat_schema_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
