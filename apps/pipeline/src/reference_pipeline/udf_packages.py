"""The Python packages the Snowflake normalisation UDFs import (dbt macro `create_normalisation_udfs`).

`build(out_dir)` writes `dataplatform_common.zip` and `reference_pipeline.zip`, each holding its package at
the zip's root (Snowflake puts every import on `sys.path`, so `import dataplatform_common` works from the
zip) with its data files and without caches. The zips are reproducible (sorted entries, fixed timestamps):
the same sources give the same bytes, so an unchanged upload is visibly unchanged. `put_statements` are
what the CD pipeline runs to upload them to the stage (`SNOWFLAKE_UDF_STAGE`).
"""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

PACKAGES = ("dataplatform_common", "reference_pipeline")
_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED = {"__pycache__", ".pytest_cache"}


def package_dir(name: str) -> Path:
    module = importlib.import_module(name)
    return Path(module.__file__ or "").resolve().parent


def _files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not _SKIPPED & set(path.relative_to(root).parts) and path.suffix not in {".pyc"}
    )


def build(out_dir: Path) -> list[Path]:
    """One reproducible zip per package in `out_dir`; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    built = []
    for name in PACKAGES:
        root = package_dir(name)
        target = out_dir / f"{name}.zip"
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in _files(root):
                info = zipfile.ZipInfo(f"{name}/{path.relative_to(root).as_posix()}", date_time=_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
        built.append(target)
    return built


def put_statements(zips: list[Path], stage: str) -> list[str]:
    """The SnowSQL PUT of each zip to the UDF stage (overwrite: the dbt hook recreates the functions)."""
    return [f"put file://{path.resolve()} {stage} auto_compress = false overwrite = true" for path in zips]
