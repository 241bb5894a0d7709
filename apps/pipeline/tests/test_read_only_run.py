"""Contract: a run succeeds with the code and the dbt project on a read-only filesystem, as in the pod.

The user-code image (apps/pipeline/Dockerfile) runs with `readOnlyRootFilesystem: true`
(platform/dagster/values.yaml); only /tmp is an emptyDir. Here the package and the dbt project (with the
manifest and parse that `prepare` wrote, as the image build does) are copied and made read-only, HOME too,
and the pipeline runs end to end in a subprocess whose only writable folder is a scratch "/tmp". File
modes bind an ordinary user; as root (a container: CAP_DAC_OVERRIDE ignores them) the subprocess runs in
its own mount namespace where the whole filesystem is remounted read-only, as in the pod, except that folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
# As root: a private mount namespace; $1 stays writable, $2 (the copy) and / become read-only.
READ_ONLY_ROOT = (
    'set -e; mount --bind "$1" "$1"; mount --bind "$2" "$2"; mount -o remount,ro,bind "$2"; '
    'mount -o remount,ro,bind /; shift 2; exec "$@"'
)


def _confined(command: list[str], writable: Path, read_only: Path) -> list[str]:
    """`command`, unable to write anywhere but `writable` (file modes suffice for a non-root user)."""
    if os.geteuid() != 0:
        return command
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("running as root without the right to make a mount namespace: file modes do not bind root")
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", READ_ONLY_ROOT, "sh",
            str(writable), str(read_only), *command]  # fmt: skip


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A scratch folder whose copy is made read-only (given write access back to be deleted)."""
    folder = Path(tempfile.mkdtemp(prefix="pipeline-read-only-"))
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:  # give write access back so the copy can be deleted
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        shutil.rmtree(folder, ignore_errors=True)


RUN = textwrap.dedent(
    """
    import sys
    from reference_pipeline import cli
    from reference_pipeline.settings import load_settings
    import reference_pipeline

    assert reference_pipeline.__file__.startswith(sys.argv[1]), reference_pipeline.__file__
    cli.local_environment()
    cli.generate(range(1, 3), 30, load_settings().landing_dir)
    sys.exit(cli.run())
    """
)


@pytest.mark.slow
def test_run_with_code_and_dbt_project_read_only(scratch: Path) -> None:
    read_only, writable = scratch / "image", scratch / "tmp"
    shutil.copytree(APP / "src", read_only / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(APP / "reference", read_only / "reference")
    shutil.copytree(
        APP / "dbt",
        read_only / "dbt",
        ignore=lambda folder, names: [n for n in names if Path(folder).name == "target" and
                                      n not in ("manifest.json", "partial_parse.msgpack")] + ["logs"],
    )  # fmt: skip
    assert (read_only / "dbt/target/manifest.json").is_file(), "the session fixture runs `prepare` first"
    (read_only / "home").mkdir()
    _read_only(read_only)
    writable.mkdir()
    before = _tree_digest(read_only)

    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(read_only / "home"),
        "TMPDIR": str(writable),
        "PYTHONPATH": str(read_only / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PIPELINE_DBT_PROJECT_DIR": str(read_only / "dbt"),
        "PIPELINE_REFERENCE_DIR": str(read_only / "reference"),
        "PIPELINE_WORK_DIR": str(writable / "pipeline"),
        "PIPELINE_DVC": str(writable / "no-dvc"),
        "DBT_TARGET_PATH": str(writable / "dbt-target"),
        "DBT_LOG_PATH": str(writable / "dbt-logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        _confined([sys.executable, "-c", RUN, str(read_only / "src")], writable, read_only),
        env=env,
        cwd=read_only,
        capture_output=True,
        text=True,
        timeout=800,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Read-only file system" not in output and "Permission denied" not in output, output[-6000:]
    assert "succeeded" in result.stdout
    assert _tree_digest(read_only) == before, "the run wrote into the code or the dbt project"
    assert (writable / "pipeline" / "gold.duckdb").is_file()
    assert list((writable / "dbt-target").iterdir()) == [], "per-run dbt target folders are removed"
