"""The zips the Snowflake normalisation UDFs import (src/reference_pipeline/udf_packages.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from reference_pipeline import udf_packages
from reference_pipeline.settings import DBT_PROJECT_DIR

MACRO = DBT_PROJECT_DIR / "macros" / "create_normalisation_udfs.sql"
LOCK = Path(__file__).resolve().parents[3] / "requirements" / "pipelines.lock"


def test_the_zips_hold_what_the_udf_macro_imports_and_handlers_run_from_them(tmp_path: Path) -> None:
    zips = udf_packages.build(tmp_path / "a")
    macro = MACRO.read_text(encoding="utf-8")
    assert sorted(re.findall(r"/(\w+\.zip)", macro)) == sorted(path.name for path in zips)
    handlers = re.findall(r"handler = '([\w.]+)'", macro)
    assert handlers
    probe = (
        "import importlib, sys\n"
        "for handler in sys.argv[1:]:\n"
        "    module, name = handler.rsplit('.', 1)\n"
        "    mod = importlib.import_module(module)\n"
        "    assert '.zip' in mod.__file__, mod.__file__\n"
        "    getattr(mod, name)\n"
        "from reference_pipeline.udfs import normalise_value, postal_attribute\n"
        "print(normalise_value('customer', 'email', ' Jean@Example.FR '), postal_attribute('75001', 'commune'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(path) for path in zips)}
    done = subprocess.run(
        [sys.executable, "-c", probe, *handlers], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["jean@example.fr", "Paris"]  # the packaged postal table is read from the zip
    again = udf_packages.build(tmp_path / "b")
    assert [path.read_bytes() for path in zips] == [path.read_bytes() for path in again]  # reproducible


def test_the_udf_packages_entry_is_the_locked_version() -> None:
    pinned = dict(re.findall(r"^([a-z0-9_.-]+)==([^\s;]+)", LOCK.read_text(encoding="utf-8"), re.MULTILINE))
    (packages,) = re.findall(r"packages = \(([^)]*)\)", MACRO.read_text(encoding="utf-8"))
    for entry in re.findall(r"'([^']+)'", packages):
        name, _, wanted = entry.partition("==")
        assert wanted == pinned[name], entry


def test_put_statements_upload_each_zip_to_the_stage(tmp_path: Path) -> None:
    statements = udf_packages.put_statements([tmp_path / "x.zip"], "@db.schema.udfs")
    assert statements == [f"put file://{tmp_path / 'x.zip'} @db.schema.udfs auto_compress = false overwrite = true"]
