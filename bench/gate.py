"""Benchmark of the offline manifest gate: wall time per stage for every env, cold and warm.

    .venv/tooling/bin/python bench/gate.py [--repeat-schema-seconds 1.0]

Works on a scratch copy of the repository (the checkout is never modified) with a scratch render
cache:
  cold    empty render cache: every chart rendered by helm;
  warm    nothing changed: every render served from the cache;
  1 app   one in-repo Application's env value file changed: only that one re-rendered.
Then schema throughput: every object rendered for all envs validated again in a bounded loop, with
validators already compiled (what a second env of the same Kubernetes version costs) and cold.
Targets (issue 2): all envs < 15 s cold, < 3 s with one Application changed, schema >= 2,000
objects/s per core. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from platformctl import schemas
from platformctl.crds import CrdCatalogue
from platformctl.environments import list_environments
from platformctl.gate import EnvReport, run_gates
from platformctl.paths import repo_root, upstream_mirror

STAGES = ("render", "schema", "values", "graph", "references", "reachability", "sync")
SKIP = shutil.ignore_patterns(".git", ".venv", ".tools", ".cache", "build", "__pycache__", "*.duckdb", "node_modules")
TARGET_COLD, TARGET_ONE_CHANGED, TARGET_OBJECTS_PER_CORE = 15.0, 3.0, 2000.0


def run_all(root: Path, cache: Path, out: Path, mirror: Path) -> tuple[list[EnvReport], float]:
    started = time.perf_counter()
    reports = [
        run_gates(env.name, root=root, mirror=mirror, render_cache=cache, out_dir=out / env.name)
        for env in list_environments(root)
    ]
    return reports, time.perf_counter() - started


def print_round(label: str, reports: list[EnvReport], wall: float, target: float | None) -> None:
    print(f"\n{label}: {wall:.2f} s wall for {len(reports)} env(s)" + (f" (target < {target:.0f} s)" if target else ""))
    widths = [max(9, len(stage) + 1) for stage in STAGES]
    header = "".join(f"{stage:>{width}}" for stage, width in zip(STAGES, widths, strict=True))
    print(f"  {'env':<8}{header}{'objects':>9}{'rendered':>10}{'cached':>8}")
    for report in reports:
        apps = report.rendered.applications if report.rendered else []
        rendered = sum(app.rendered for app in apps)
        cached = sum(app.from_cache for app in apps)
        times = "".join(
            f"{report.timings.get(stage, 0.0):>{width - 1}.2f}s" for stage, width in zip(STAGES, widths, strict=True)
        )
        print(f"  {report.env:<8}{times}{report.objects_validated:>9}{rendered:>10}{cached:>8}")


def change_one_application(root: Path, report: EnvReport) -> str:
    """Append a harmless change to the env value file of the first rendered in-repo Application."""
    app = next(a for a in report.rendered.applications if a.rendered and a.source == "in-repo")
    env_file = app.value_paths[-1]
    env_file.write_text(env_file.read_text(encoding="utf-8") + f"\n# bench change {time.time()}\n", encoding="utf-8")
    return app.name


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat-schema-seconds", type=float, default=1.0, help="time budget of the schema loop")
    args = parser.parse_args()
    mirror = upstream_mirror()
    print(f"repository {repo_root()}, mirror {mirror}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as scratch:
        base = Path(scratch)
        root = base / "repo"
        shutil.copytree(repo_root(), root, ignore=SKIP)
        cache, out = base / "render-cache", base / "out"
        cold, wall = run_all(root, cache, out, mirror)
        print_round("cold (empty render cache)", cold, wall, TARGET_COLD)
        warm, wall = run_all(root, cache, out, mirror)
        print_round("warm (nothing changed)", warm, wall, TARGET_ONE_CHANGED)
        changed = change_one_application(root, warm[0])
        one, wall = run_all(root, cache, out, mirror)
        print_round(f"warm, one Application changed ({changed} in {warm[0].env})", one, wall, TARGET_ONE_CHANGED)
        schema_throughput(cold, mirror, args.repeat_schema_seconds)
        errors = sum(1 for report in cold for f in report.findings if f.severity == "error")
        print(f"\nfindings in the cold run: {errors} error(s) (the bench measures speed, not correctness)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
