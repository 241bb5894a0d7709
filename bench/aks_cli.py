"""How much `platformctl aks` and `bootstrap` cost the CLI, and how fast their offline commands are.

Prints medians over fresh interpreter runs (bounded: REPEAT runs per case, each with a timeout):
  1. importing the aks command module (what every platformctl invocation pays to build its parser),
     against importing it together with the Azure SDK (what it would pay with module-level imports);
  2. `platformctl aks plan dev`, `aks check` and `bootstrap dev --dry-run` end to end.

Run: .venv/tooling/bin/python bench/aks_cli.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPEAT = 5
TIMEOUT_SECONDS = 60
ROOT = Path(__file__).resolve().parents[1]
PLATFORMCTL = [sys.executable, "-m", "platformctl"]


def median_seconds(command: list[str]) -> float:
    env = {
        **os.environ,
        "PLATFORM_UPSTREAM_MIRROR": os.environ.get(
            "PLATFORM_UPSTREAM_MIRROR", str(ROOT.parent / "shared" / "upstream")
        ),
    }
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True, timeout=TIMEOUT_SECONDS)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    baseline = median_seconds([sys.executable, "-c", "import platformctl.environments"])
    lazy = median_seconds([sys.executable, "-c", "import platformctl.commands.aks, platformctl.commands.bootstrap"])
    eager = median_seconds(
        [
            sys.executable,
            "-c",
            "import platformctl.commands.aks, platformctl.commands.bootstrap, platformctl.aks.operations",
        ]
    )
    print(f"interpreter + platformctl core import            {baseline * 1000:7.0f} ms")
    print(f"+ aks/bootstrap command modules (lazy Azure SDK)  {(lazy - baseline) * 1000:7.0f} ms")
    print(f"+ same with the Azure SDK imported eagerly        {(eager - baseline) * 1000:7.0f} ms")
    print(f"  ratio eager/lazy overhead                       {(eager - baseline) / max(lazy - baseline, 1e-3):7.1f} x")
    for label, args in (
        ("platformctl aks check (3 envs)", ["aks", "check"]),
        ("platformctl aks plan dev", ["aks", "plan", "dev"]),
        ("platformctl bootstrap dev --dry-run", ["bootstrap", "dev", "--dry-run"]),
    ):
        print(f"{label:<50}{median_seconds(PLATFORMCTL + args) * 1000:7.0f} ms")
    print(f"(median of {REPEAT} fresh runs each; machine load: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
