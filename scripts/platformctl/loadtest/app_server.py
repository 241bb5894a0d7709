"""The app under test in local mode: gunicorn on 127.0.0.1 with the sample gold DuckDB and dev auth."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from platformctl.errors import PlatformError
from platformctl.loadtest.processes import ManagedProcess, free_port, wait_until_ready
from platformctl.loadtest.slo import SloSpec

SAMPLE_ROWS = 200_000


def ensure_sample_gold(path: Path) -> Path:
    """The sample gold DuckDB (deterministic), generated once per catalog and reused by later runs: `path` with
    the catalog's digest in its name (`gold-<digest>.duckdb`), so a changed catalog never reuses a stale file."""
    from dataplatform_common.gold_catalog import catalog_digest

    path = path.with_name(f"{path.stem}-{catalog_digest()}{path.suffix}")
    if path.is_file():
        return path
    result = subprocess.run(
        [sys.executable, "-m", "dataplatform_common.sample_gold", "--out", str(path), "--rows", str(SAMPLE_ROWS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise PlatformError(
            f"cannot generate the sample warehouse {path}: {result.stderr.strip()[-300:]}",
            fix="run `make venvs` (dataplatform-common must be installed in .venv/tooling)",
        )
    return path


def mint_dev_token(spec: SloSpec, auth_dir: Path) -> str:
    """A dev JWT for the app through the contract's command (docs/contracts.md, "Dev tokens")."""
    argv = [
        sys.executable,
        "-m",
        "dataplatform_common.auth.dev",
        "mint",
        "--audience",
        spec.app,
        "--dir",
        str(auth_dir),
    ]
    for role in spec.token.roles:
        argv += ["--role", role]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise PlatformError(
            f"cannot mint a dev token for {spec.app}: {result.stderr.strip()[-300:]}", fix="run `make venvs`"
        )
    return result.stdout.strip()


def start_app(
    spec: SloSpec,
    app_dir: Path,
    workdir: Path,
    warehouse: Path,
    auth_dir: Path,
    wsgi: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[ManagedProcess, str]:
    """Start gunicorn with the app's own gunicorn.conf.py, bound to a free port on 127.0.0.1."""
    config = app_dir / "gunicorn.conf.py"
    if not config.is_file():
        raise PlatformError(f"{config}: missing", fix=f"add the gunicorn config of {spec.app} (docs/contracts.md)")
    port = free_port()
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WAREHOUSE_URL": f"duckdb:///{warehouse.resolve()}",
        "AUTH_MODE": "dev",
        "DEV_AUTH_DIR": str(auth_dir.resolve()),
        "PROMETHEUS_MULTIPROC_DIR": str((workdir / "prometheus-multiproc").resolve()),
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "--config", str(config), wsgi or spec.wsgi]
    process = ManagedProcess("gunicorn", argv, workdir / "gunicorn.log", env=env)
    return process, f"http://127.0.0.1:{port}"


def wait_app_ready(process: ManagedProcess, url: str, timeout_seconds: float = 30) -> float:
    return wait_until_ready(process, f"{url}/readyz", timeout_seconds)
