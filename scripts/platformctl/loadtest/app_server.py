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


PREPARE_TIMEOUT_SECONDS = 300  # a prepare step builds from the 200k-row sample gold: seconds, minutes when loaded


def app_environment(
    workdir: Path, warehouse: Path, auth_dir: Path, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """The app's environment in local mode. TMPDIR is the run's own (`<workdir>/tmp`): what the app writes at
    run time (its only writable place in the cluster is /tmp) stays in this run and leaves with it."""
    tmp = workdir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "TMPDIR": str(tmp.resolve()),
        "WAREHOUSE_URL": f"duckdb:///{warehouse.resolve()}",
        "AUTH_MODE": "dev",
        "DEV_AUTH_DIR": str(auth_dir.resolve()),
        "PROMETHEUS_MULTIPROC_DIR": str((workdir / "prometheus-multiproc").resolve()),
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }


def prepare_app(spec: SloSpec, env: dict[str, str], workdir: Path) -> None:
    """Run the slo.yaml `prepare` commands, so the load measures the app as deployed, not its first-use work."""
    for command in spec.prepare:
        argv = [sys.executable, *command[1:]] if command[0] == "python" else command
        log = workdir / "prepare.log"
        with log.open("a", encoding="utf-8") as output:
            try:
                result = subprocess.run(
                    argv, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=PREPARE_TIMEOUT_SECONDS, check=False
                )
            except subprocess.TimeoutExpired:
                raise PlatformError(
                    f"{spec.app}: prepare step `{' '.join(command)}` still running after {PREPARE_TIMEOUT_SECONDS} s",
                    fix=f"see {log}; make the step faster or drop it from apps/{spec.app}/slo.yaml",
                ) from None
        if result.returncode != 0:
            tail = log.read_text(encoding="utf-8")[-300:].strip()
            raise PlatformError(
                f"{spec.app}: prepare step `{' '.join(command)}` exited with {result.returncode}: {tail}",
                fix=f"fix the step or apps/{spec.app}/slo.yaml `prepare` (full output: {log})",
            )


def start_app(
    spec: SloSpec,
    app_dir: Path,
    workdir: Path,
    warehouse: Path,
    auth_dir: Path,
    wsgi: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[ManagedProcess, str]:
    """Prepare the app (slo.yaml `prepare`), then start gunicorn with its own gunicorn.conf.py, bound to a free
    port on 127.0.0.1."""
    config = app_dir / "gunicorn.conf.py"
    if not config.is_file():
        raise PlatformError(f"{config}: missing", fix=f"add the gunicorn config of {spec.app} (docs/contracts.md)")
    env = app_environment(workdir, warehouse, auth_dir, extra_env)
    prepare_app(spec, env, workdir)
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "--config", str(config), wsgi or spec.wsgi]
    process = ManagedProcess("gunicorn", argv, workdir / "gunicorn.log", env=env)
    return process, f"http://127.0.0.1:{port}"


def wait_app_ready(process: ManagedProcess, url: str, timeout_seconds: float = 30) -> float:
    return wait_until_ready(process, f"{url}/readyz", timeout_seconds)
