"""The DVC-tracked reference datasets (French postal codes): read the tracked version, prove it, load it.

DVC lives in its own virtualenv (.venv/dvc: it cannot share one with Dagster), so the pipeline does not
import it: it reads the `.dvc` pointer committed in Git (md5 and size of the tracked version) and checks
that the workspace file is that exact version before loading it. The md5 goes into the asset metadata.
`restore_reference` brings the file back offline: `dvc checkout` from the local cache, or, on a fresh
clone, a rebuild from the packaged table of dataplatform_common, only when the tracked version is that
released table (same md5); any other tracked version comes from the remote (`dvc pull`).
`update_reference` is the update procedure (apps/pipeline/README.md): canonical CSV, `dvc add`, and the
packaged table regenerated, so the tracked version is the released one again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
from collections.abc import Iterable
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


def canonical_csv(rows: Iterable[tuple[str, str]]) -> bytes:
    """The one byte layout of a postal-code reference (header, sorted rows, LF): equal rows, equal md5."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["postal_code", "commune"])
    writer.writerows(sorted(set(rows)))
    return buffer.getvalue().encode("utf-8")


def packaged_release() -> bytes:
    """The released version: the packaged table of dataplatform_common, in the canonical layout."""
    from dataplatform_common.normalise.postal import packaged_reference_rows

    return canonical_csv(packaged_reference_rows())


def packaged_release_md5() -> str:
    return hashlib.md5(packaged_release(), usedforsecurity=False).hexdigest()


def read_rows(data_file: Path) -> list[tuple[str, str]]:
    """(postal_code, commune) rows of a reference CSV, codes normalised; a bad row is refused with its line."""
    from dataplatform_common.normalise.errors import NormalisationError
    from dataplatform_common.normalise.postal import normalise_postal_code

    with data_file.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"postal_code", "commune"} <= set(reader.fieldnames or ()):
            raise ReferenceDataError(f"{data_file}: header {reader.fieldnames}; fix: columns postal_code,commune")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append((normalise_postal_code(row["postal_code"]), row["commune"].strip()))
            except NormalisationError as error:
                raise ReferenceDataError(f"{data_file}:{line}: {row['postal_code']!r}: {error}; fix the row") from None
            if not rows[-1][1]:
                raise ReferenceDataError(f"{data_file}:{line}: empty commune; fix the row")
    return rows


def restore_reference(data_file: Path, dvc_executable: Path | None = None) -> str:
    """Make the workspace hold the tracked version offline; returns how it was restored."""
    version = read_pointer(data_file)
    if data_file.is_file() and file_md5(data_file) == version.md5:
        return "already the tracked version"
    dvc = str(dvc_executable) if dvc_executable else shutil.which("dvc")
    if dvc and Path(dvc).is_file():
        done = subprocess.run(
            [dvc, "checkout", "--quiet", data_file.name + ".dvc"],
            cwd=data_file.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0 and data_file.is_file() and file_md5(data_file) == version.md5:
            return "dvc checkout from the local cache"
    release = packaged_release()
    release_md5 = hashlib.md5(release, usedforsecurity=False).hexdigest()
    if release_md5 != version.md5:
        raise ReferenceDataError(
            f"{version.pointer}: tracked version {version.md5} is neither in the local DVC cache nor the packaged "
            f"release of dataplatform_common ({release_md5}); fix: `dvc pull` in {data_file.parent.parent} "
            "(Azure Blob remote: AZURE_STORAGE_ACCOUNT and an Azure login)"
        )
    data_file.parent.mkdir(parents=True, exist_ok=True)
    data_file.write_bytes(release)
    return "rebuilt from the packaged release (same md5 as the tracked version)"


def update_reference(new_file: Path, data_file: Path, dvc_executable: Path, packaged_file: Path) -> TrackedVersion:
    """The update procedure: `new_file` becomes the tracked version (`dvc add`) and the packaged release.

    The rows are checked and written in the canonical layout to both `data_file` (DVC-tracked) and
    `packaged_file` (dataplatform_common's table, which fresh clones and the enrichment API use), so the two
    agree again. `dvc push` is left to the caller (it needs the Azure credentials).
    """
    content = canonical_csv(read_rows(new_file))
    data_file.parent.mkdir(parents=True, exist_ok=True)
    data_file.write_bytes(content)
    done = subprocess.run(
        [str(dvc_executable), "add", "--quiet", data_file.name],
        cwd=data_file.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ReferenceDataError(f"dvc add {data_file.name} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    packaged_file.write_bytes(content)
    return verified_version(data_file)


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
