"""Load gate figures: wall time per API against the 60 s target, and whether locust is the bottleneck.

    .venv/tooling/bin/python bench/loadtest_gate.py [--runs N]

Runs the real gate (gunicorn + Prometheus + locust on 127.0.0.1) and prints, per API and run: gate wall
time and its ratio to the 60 s budget, set-up time, requests/s, locust CPU as a share of one core and of
the CPU used by client + server together. Reports go to build/bench/loadtest/.
"""

from __future__ import annotations

import argparse
import statistics

from platformctl.loadtest.gate import GateOptions, run_gate
from platformctl.paths import build_dir

APPS = ("exposition-api", "enrichment-api")
BUDGET_SECONDS = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per API (default 1; each ~45 s)")
    args = parser.parse_args()
    print(f"{'app':16} {'run':>3} {'wall s':>7} {'/60s':>5} {'setup s':>7} {'req/s':>7} {'locust %core':>12} "
          f"{'locust/(client+server)':>22} {'verdict':>7}")  # fmt: skip
    for app in APPS:
        walls = []
        for run in range(1, args.runs + 1):
            verdict = run_gate(GateOptions(app=app, out=build_dir() / "bench" / "loadtest" / app / str(run)))
            facts = verdict.facts
            rps = next(row.locust for row in verdict.rows if row.objective.startswith("throughput"))
            walls.append(facts["gate_wall_seconds"])
            wall = facts["gate_wall_seconds"]
            print(f"{app:16} {run:>3} {wall:>7.1f} {wall / BUDGET_SECONDS:>5.2f} "
                  f"{facts['setup_seconds']:>7.1f} {rps:>7.1f} {facts['locust_cpu_share_of_one_core'] * 100:>11.1f}% "
                  f"{facts.get('locust_share_of_client_plus_server_cpu', 0) * 100:>21.1f}% "
                  f"{'pass' if verdict.passed else 'FAIL':>7}")  # fmt: skip
        if len(walls) > 1:
            print(f"{app:16} median wall {statistics.median(walls):.1f} s over {len(walls)} runs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
