"""The DVC-tracked reference datasets (French postal codes): read the tracked version, prove it, load it.

DVC lives in its own virtualenv (.venv/dvc: it cannot share one with Dagster), so the pipeline does not
import it: it reads the `.dvc` pointer committed in Git (md5 and size of the tracked version) and checks
that the workspace file is that exact version before loading it. The md5 goes into the asset metadata.
`restore_reference` brings the file back offline: `dvc checkout` from the local cache, or, on a fresh
clone, a rebuild from the packaged table of dataplatform_common that must hash to the tracked md5.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from reference_pipeline.settings import REFERENCE_DIR

POSTAL_CODES = "postal_codes.csv"


class ReferenceDataError(RuntimeError):
    """The tracked reference is missing or is not the version Git points to (message says the fix)."""


@dataclass(frozen=True)
class TrackedVersion:
    """What the `.dvc` pointer says about one tracked file."""

    path: Path
    md5: str
    size: int
    pointer: Path


def read_pointer(data_file: Path) -> TrackedVersion:
    pointer = data_file.with_name(data_file.name + ".dvc")
    if not pointer.is_file():
        raise ReferenceDataError(f"{pointer}: missing DVC pointer; fix: `dvc add {data_file.name}` in {pointer.parent}")
    try:
        outs = yaml.safe_load(pointer.read_text(encoding="utf-8"))["outs"][0]
        return TrackedVersion(path=data_file, md5=str(outs["md5"]), size=int(outs["size"]), pointer=pointer)
    except (yaml.YAMLError, KeyError, IndexError, TypeError, ValueError) as error:
        raise ReferenceDataError(
            f"{pointer}: not a DVC pointer with outs[0].md5/size ({error}); fix: re-run `dvc add`"
        ) from None


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verified_version(data_file: Path) -> TrackedVersion:
    """The tracked version of `data_file`, after checking the workspace file is exactly that version."""
    version = read_pointer(data_file)
    if not data_file.is_file():
        raise ReferenceDataError(
            f"{data_file}: DVC-tracked file is missing; fix: `reference-pipeline prepare` (restores it) or `dvc pull`"
        )
    actual = file_md5(data_file)
    if actual != version.md5:
        raise ReferenceDataError(
            f"{data_file}: md5 {actual} is not the tracked version {version.md5} ({version.pointer.name}); "
            "fix: `dvc checkout` to get the tracked version, or `dvc add` to track this one"
        )
    return version


def render_packaged_postal_codes(target: Path) -> None:
    """Write the seed version of the reference from dataplatform_common's packaged table."""
    from dataplatform_common.normalise.postal import packaged_reference_rows

    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["postal_code", "commune"])
        writer.writerows(sorted(packaged_reference_rows()))


def restore_reference(data_file: Path, dvc_executable: Path | None = None) -> str:
    """Make the workspace hold the tracked version offline; returns how it was restored."""
    version = read_pointer(data_file)
    if data_file.is_file() and file_md5(data_file) == version.md5:
        return "already the tracked version"
    dvc = str(dvc_executable) if dvc_executable else shutil.which("dvc")
    if dvc:
        done = subprocess.run(
            [dvc, "checkout", "--quiet", data_file.name + ".dvc"],
            cwd=data_file.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and data_file.is_file() and file_md5(data_file) == version.md5:
            return "dvc checkout from the local cache"
    render_packaged_postal_codes(data_file)
    verified_version(data_file)  # a rebuild that does not hash to the tracked md5 is refused
    return "rebuilt from the packaged table (md5 matches the tracked version)"


def load_postal_codes(con: duckdb.DuckDBPyConnection, data_file: Path | None = None) -> tuple[TrackedVersion, int]:
    """Replace raw.postal_codes with the verified tracked version; returns (version, rows)."""
    data_file = data_file or REFERENCE_DIR / POSTAL_CODES
    version = verified_version(data_file)
    quoted = str(data_file).replace("'", "''")
    con.execute("create schema if not exists raw")
    con.execute(
        "create or replace table raw.postal_codes as "
        f"select postal_code, commune, ? as dvc_md5, cast(current_timestamp as varchar) as _loaded_at "
        f"from read_csv('{quoted}', header = true, all_varchar = true)",
        [version.md5],
    )
    count = con.execute("select count(*) from raw.postal_codes").fetchone()
    return version, int(count[0]) if count else 0
