"""Benchmark of the policy gate: wall time of `platformctl policy --all` against the 30 s target.

    .venv/tooling/bin/python bench/policy.py [--runs N] [--fixtures]

Real mode (default when the manifest gate and clusters/*/platform.yaml are present): renders every
env once (timed apart, it is the manifest gate's cost), then times the policy gate over the rendered
output. Fixture mode (--fixtures, or when the repository cannot be rendered yet): the same gate over a
repository copy holding the compliant fixture tree of tests/policy for all three envs.
Prints figures and ratios; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from platformctl.environments import list_environments  # noqa: E402
from platformctl.paths import build_dir, upstream_mirror  # noqa: E402
from platformctl.policy.gate import run_policy  # noqa: E402

TARGET_SECONDS = 30.0
FIXTURES = ROOT / "tests" / "policy" / "fixtures"


def can_render() -> bool:
    envs = list_environments(ROOT)
    return importlib.util.find_spec("platformctl.render") is not None and all(e.platform_file.is_file() for e in envs)


def fixture_repository(workdir: Path) -> tuple[Path, Path]:
    root = workdir / "repo"
    shutil.copytree(ROOT / "clusters", root / "clusters")
    shutil.copytree(ROOT / "policies", root / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(FIXTURES / "repo" / "platform", root / "platform")
    for env in ("dev", "staging", "prod"):
        shutil.copy(FIXTURES / "repo" / "platform.yaml", root / "clusters" / env / "platform.yaml")
        shutil.copytree(FIXTURES / "compliant", root / "rendered" / env)
    return root, root / "rendered"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default 3, at most 10)")
    parser.add_argument("--fixtures", action="store_true", help="use the test fixtures even if rendering works")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 10))
    mirror = upstream_mirror()
    envs = ["dev", "staging", "prod"]

    with tempfile.TemporaryDirectory(prefix="policy-bench-") as tmp:
        if args.fixtures or not can_render():
            mode = "fixtures (compliant tree of tests/policy for every env)"
            root, rendered = fixture_repository(Path(tmp))
        else:
            mode = "repository (rendered by platformctl.render)"
            render = importlib.import_module("platformctl.render")
            started = time.perf_counter()
            for env in envs:
                render.render_environment(env)
            print(f"render (manifest gate, not part of the target): {time.perf_counter() - started:.2f} s")
            root, rendered = ROOT, build_dir(ROOT) / "rendered"

        objects = sum(p.read_text(encoding="utf-8").count("\nkind: ") for p in rendered.glob("*/*/*.yaml"))
        timings: list[float] = []
        cpu: list[float] = []
        load_before = os.getloadavg()[0]
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            report = run_policy(envs, rendered_root=rendered, root=root, mirror=mirror)
            timings.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))

    best, mean = min(timings), statistics.mean(timings)
    print(f"mode: {mode}")
    print(f"envs: {', '.join(envs)}; rendered objects: ~{objects}; results per run: {len(report.results)}")
    print(f"checkov processes per run: {len(envs)} kubernetes + 1 dockerfile+secrets, 2 at a time")
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, 1-min load average {load_before:.1f} before the runs (shared machine)")
    print(f"checkov CPU time per run (user+sys of child processes): mean {statistics.mean(cpu):.2f} s")
    print(f"  -> lower bound of wall time on {cores} idle cores: ~{statistics.mean(cpu) / min(cores, 2):.1f} s")
    print(f"policy gate wall time over {runs} run(s): best {best:.2f} s, mean {mean:.2f} s, worst {max(timings):.2f} s")
    print(f"target {TARGET_SECONDS:.0f} s: best is {best / TARGET_SECONDS:.0%} of it, mean {mean / TARGET_SECONDS:.0%}")
    print("status:", "within target" if mean < TARGET_SECONDS else "OVER TARGET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
