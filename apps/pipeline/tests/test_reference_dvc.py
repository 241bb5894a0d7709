"""The DVC-tracked reference (src/reference_pipeline/reference_data.py) and its update procedure.

- `dvc add` of an updated file (real DVC, in a scratch DVC project) keeps the pipeline working: the updated
  version is verified and loaded, `prepare` restores it from the DVC cache, and on a clone without that
  cache the restore refuses the packaged table (another version) and names `dvc pull`.
- `reference-pipeline update-reference` tracks the new file and regenerates the packaged release, so the
  two agree again (fresh clones restore it offline).
- The whole update procedure: update-reference, `dvc push`, a fresh clone without the data, `dvc pull`, and the
  pipeline's `raw/postal_codes` loads the new version (a local directory stands in for the Azure Blob remote,
  through `.dvc/config.local`: the committed config is left as it is).
- In the cloud the Snowflake run loads the DVC-tracked file of the image, md5 in the rows and the metadata.
- The Azure Blob remote is configured without a secret (credentials from the environment / identity); the
  pinned DVC parses it and takes the account from AZURE_STORAGE_ACCOUNT and the credentials from Azure's default
  chain; main's workflow pulls the data with them before it builds the image.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
import sqlglot
import yaml
from reference_pipeline import reference_data
from reference_pipeline.assets.raw import raw_postal_codes
from reference_pipeline.settings import APP_DIR, REFERENCE_DIR
from reference_pipeline.warehouse import DuckDBWarehouse, SnowflakeWarehouse, reference_snowflake_statements

DVC = Path(os.environ.get("PIPELINE_DVC", APP_DIR.parents[1] / ".venv" / "dvc" / "bin" / "dvc"))
NEW_ROW = ("97133", "Saint-Barthélemy")


def dvc(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(DVC), *args], cwd=project, capture_output=True, text=True, timeout=300, check=False, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def dvc_project(tmp_path: Path) -> Path:
    if not DVC.exists():
        pytest.fail(f"{DVC} missing: scripts/bootstrap/venvs.sh dvc")
    project = tmp_path / "app"
    (project / "reference").mkdir(parents=True)
    dvc(project, "init", "--no-scm", "--quiet")
    return project


def updated_reference(directory: Path) -> Path:
    """The packaged release plus one commune: an update of the reference."""
    data_file = directory / "new_postal_codes.csv"
    data_file.write_bytes(reference_data.packaged_release() + ",".join(NEW_ROW).encode() + b"\n")
    return data_file


def test_dvc_add_of_an_updated_reference_is_loaded_and_restored(dvc_project: Path) -> None:
    data_file = dvc_project / "reference" / reference_data.POSTAL_CODES
    data_file.write_bytes(updated_reference(dvc_project).read_bytes())
    dvc(dvc_project / "reference", "add", "--quiet", data_file.name)

    version = reference_data.verified_version(data_file)
    assert version.md5 != reference_data.packaged_release_md5()
    loaded, rows = DuckDBWarehouse(path=str(dvc_project / "w.duckdb")).load_reference(data_file)
    assert loaded.md5 == version.md5 and rows == len(reference_data.read_rows(data_file))

    data_file.unlink()
    assert reference_data.restore_reference(data_file, DVC) == "dvc checkout from the local cache"
    assert reference_data.file_md5(data_file) == version.md5

    data_file.unlink()
    subprocess.run(["rm", "-rf", str(dvc_project / ".dvc" / "cache")], check=True)
    with pytest.raises(reference_data.ReferenceDataError, match=r"neither in the local DVC cache.*fix: `dvc pull`"):
        reference_data.restore_reference(data_file, DVC)
    assert not data_file.exists()  # the packaged table (another version) is not passed off as the tracked one


def test_update_reference_tracks_the_file_and_regenerates_the_packaged_release(dvc_project: Path) -> None:
    data_file = dvc_project / "reference" / reference_data.POSTAL_CODES
    packaged = dvc_project / "fr_postal_codes.csv"
    version = reference_data.update_reference(updated_reference(dvc_project), data_file, DVC, packaged)
    assert version.md5 == hashlib.md5(packaged.read_bytes(), usedforsecurity=False).hexdigest()
    assert NEW_ROW in reference_data.read_rows(packaged)

    bad = dvc_project / "bad.csv"
    bad.write_text("postal_code,commune\n75001,Paris\n123,Nowhere\n", encoding="utf-8")
    with pytest.raises(reference_data.ReferenceDataError, match=r"bad\.csv:3: '123'"):
        reference_data.update_reference(bad, data_file, DVC, packaged)
    assert reference_data.verified_version(data_file).md5 == version.md5  # the tracked version is unchanged


def test_the_packaged_release_is_restored_offline(tmp_path: Path) -> None:
    data_file = tmp_path / reference_data.POSTAL_CODES
    data_file.with_name(data_file.name + ".dvc").write_text(
        f"outs:\n- md5: {reference_data.packaged_release_md5()}\n  size: 1\n  path: {data_file.name}\n",
        encoding="utf-8",
    )
    how = reference_data.restore_reference(data_file, tmp_path / "no-dvc")
    assert how.startswith("rebuilt from the packaged release")
    assert reference_data.verified_version(data_file).md5 == reference_data.packaged_release_md5()


class RecordingCursor:
    def __init__(self, log: list[tuple[str, Any]]) -> None:
        self.log = log

    def __enter__(self) -> RecordingCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str, params: Any = None) -> RecordingCursor:
        self.log.append((sql, params))
        return self

    def executemany(self, sql: str, rows: list[tuple[str, ...]]) -> RecordingCursor:
        self.log.append((sql, rows))
        return self


class RecordingSnowflake(SnowflakeWarehouse):
    """SnowflakeWarehouse whose connection records the statements instead of sending them."""

    def _connect(self) -> Any:
        log = LOG

        class Connection:
            def __enter__(self) -> Connection:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def cursor(self) -> RecordingCursor:
                return RecordingCursor(log)

        return Connection()


LOG: list[tuple[str, Any]] = []


def test_the_snowflake_run_loads_the_dvc_tracked_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_pipeline.definitions import build_definitions

    for name, value in {"DBT_TARGET": "snowflake", "SNOWFLAKE_ACCOUNT": "a", "SNOWFLAKE_USER": "u",
                        "SNOWFLAKE_PRIVATE_KEY_PATH": "/k", "SNOWFLAKE_READER_ROLE": "R"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    graph = build_definitions().resolve_asset_graph()
    assert graph.get(dg.AssetKey(["raw", "postal_codes"])).is_materializable  # not an external table

    LOG.clear()
    warehouse = RecordingSnowflake(
        account="a", user="u", private_key_path="/k", role="T", warehouse="W", database="ANALYTICS", reader_role="R"
    )
    result = dg.materialize([raw_postal_codes], resources={"warehouse": warehouse})
    tracked = reference_data.verified_version(REFERENCE_DIR / reference_data.POSTAL_CODES)
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["dvc_md5"].value == tracked.md5
    (create, _), (insert, rows), (publish, _) = LOG
    assert (create, insert, publish) == reference_snowflake_statements("ANALYTICS")
    assert publish == "create or replace table ANALYTICS.raw.postal_codes clone ANALYTICS.raw.postal_codes__loading"
    assert {row[2] for row in rows} == {tracked.md5}
    assert len(rows) == metadata["dagster/row_count"].value == len(reference_data.read_rows(tracked.path))
    for statement in (create, insert.replace("%s", "'x'"), publish):
        sqlglot.parse_one(statement, read="snowflake")
    # The Snowflake table has the columns the DuckDB load gives (the bronze model reads either).
    con = duckdb.connect()
    reference_data.load_postal_codes(con, tracked.path)
    duckdb_columns = [row[0] for row in con.execute("describe raw.postal_codes").fetchall()]
    assert duckdb_columns == ["postal_code", "commune", "dvc_md5", "_loaded_at"]
    assert "(postal_code varchar, commune varchar, dvc_md5 varchar, _loaded_at varchar)" in create


def test_the_azure_remote_holds_no_secret() -> None:
    config = configparser.ConfigParser()
    config.read(APP_DIR / ".dvc" / "config")
    wanted = f'remote "{config["core"]["remote"]}"'
    (remote,) = [config[name] for name in config.sections() if name.strip("'") == wanted]
    assert remote["url"].startswith("azure://")
    secrets = {"connection_string", "account_key", "sas_token", "client_secret", "password"}
    assert not secrets & set(remote), "credentials come from the environment or the workload identity"
    assert "account_name" not in remote  # AZURE_STORAGE_ACCOUNT of the environment (one per tenant)


# The app's DVC project as committed (what a clone holds: config, ignores, pointer; never the data).
COMMITTED = (".dvc/config", ".dvc/.gitignore", ".dvcignore", "reference/.gitignore", "reference/postal_codes.csv.dvc")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

# The pipeline's asset in its own process, pointed at a checkout the way the image is (PIPELINE_REFERENCE_DIR).
LOAD_ASSET = """
import json, sys
import dagster as dg
from reference_pipeline.assets.raw import raw_postal_codes
from reference_pipeline.warehouse import DuckDBWarehouse
result = dg.materialize([raw_postal_codes], resources={"warehouse": DuckDBWarehouse(path=sys.argv[1])})
metadata = result.get_asset_materialization_events()[0].materialization.metadata
print(json.dumps({"dvc_md5": metadata["dvc_md5"].value, "rows": metadata["dagster/row_count"].value}))
"""


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **GIT_ENV}
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def committed_app(root: Path) -> Path:
    app = root / "apps" / "pipeline"
    for name in COMMITTED:
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(APP_DIR / name, app / name)
    git(root, "init", "--quiet")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "the app as committed")
    return app


def test_update_push_then_pull_into_a_fresh_clone_and_load(tmp_path: Path) -> None:
    """The README's update procedure end to end, offline: a local directory stands in for the Azure Blob remote."""
    if not DVC.exists():
        pytest.fail(f"{DVC} missing: scripts/bootstrap/venvs.sh dvc")
    blob = tmp_path / "blob"
    origin = tmp_path / "origin"
    app = committed_app(origin)
    dvc(app, "remote", "modify", "--local", "azure", "url", str(blob))  # .dvc/config.local, ignored by Git
    data_file = app / "reference" / reference_data.POSTAL_CODES
    new = updated_reference(tmp_path)
    version = reference_data.update_reference(new, data_file, DVC, tmp_path / "fr_postal_codes.csv")
    assert version.md5 != reference_data.packaged_release_md5()
    dvc(app, "push")
    git(origin, "add", "-A")
    git(origin, "commit", "--quiet", "-m", "postal codes: new version")
    tracked = git(origin, "ls-files").split()
    assert "apps/pipeline/reference/postal_codes.csv.dvc" in tracked
    assert not {"apps/pipeline/reference/postal_codes.csv", "apps/pipeline/.dvc/config.local"} & set(tracked)
    assert (app / ".dvc" / "config").read_bytes() == (APP_DIR / ".dvc" / "config").read_bytes()

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    cloned = clone / "apps" / "pipeline"
    cloned_file = cloned / "reference" / reference_data.POSTAL_CODES
    assert not cloned_file.exists() and not (cloned / ".dvc" / "cache").exists()
    with pytest.raises(reference_data.ReferenceDataError, match="fix: `dvc pull`"):
        reference_data.restore_reference(cloned_file, DVC)  # neither cached nor the packaged release
    dvc(cloned, "remote", "modify", "--local", "azure", "url", str(blob))
    dvc(cloned, "pull")
    assert reference_data.verified_version(cloned_file).md5 == version.md5

    warehouse = tmp_path / "w.duckdb"
    env = {**os.environ, "PIPELINE_REFERENCE_DIR": str(cloned / "reference")}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ASSET, str(warehouse)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {"dvc_md5": version.md5, "rows": len(reference_data.read_rows(new))}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select distinct dvc_md5 from raw.postal_codes").fetchall() == [(version.md5,)]
        added = con.execute("select commune from raw.postal_codes where postal_code = ?", [NEW_ROW[0]]).fetchall()
    assert added == [(NEW_ROW[1],)]


# In the DVC venv: the committed remote as the pinned dvc-azure builds it (no request is made).
AZURE_REMOTE = """
import json, sys
from dvc.repo import Repo
remote = Repo(sys.argv[1]).cloud.get_remote()
try:
    fs = remote.fs.fs
    print(json.dumps({"remote": remote.name, "path": remote.path, "account": fs.account_name,
                      "credential": type(fs.credential).__name__}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
"""


def test_the_pinned_dvc_reads_the_azure_remote_from_the_environment(tmp_path: Path) -> None:
    assert dvc(APP_DIR, "remote", "default").strip() == "azure"
    assert "remote.azure.url=azure://reference-data/pipeline" in dvc(APP_DIR, "config", "--list").splitlines()
    python = DVC.with_name("python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    env["AZURE_CONFIG_DIR"] = str(tmp_path)  # no az CLI defaults of this machine

    def remote(**extra: str) -> dict[str, str]:
        command = [str(python), "-c", AZURE_REMOTE, str(APP_DIR)]
        done = subprocess.run(command, env={**env, **extra}, capture_output=True, text=True, timeout=120, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert remote(AZURE_STORAGE_ACCOUNT="stplatformref") == {
        "remote": "azure",
        "path": "reference-data/pipeline",
        "account": "stplatformref",
        "credential": "DefaultAzureCredential",  # az login, workload identity, managed identity
    }
    missing = remote()
    assert missing["error"] == "AzureAuthError" and "account_name" in missing["message"]


def test_main_pulls_the_reference_before_building_the_image() -> None:
    """The Dockerfile verifies the md5 of reference/postal_codes.csv, which Git does not hold: CI pulls it first."""
    workflow = yaml.safe_load((APP_DIR.parents[1] / ".github" / "workflows" / "main.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["image"]["steps"]
    names = [step.get("uses", "").split("@")[0] or step.get("run", "") for step in steps]
    pull = next(i for i, step in enumerate(steps) if re.search(r"/dvc/bin/dvc\"? pull$", step.get("run", ""), re.M))
    assert names.index("azure/login") < pull < names.index("docker/build-push-action")
    env = steps[pull]["env"]
    assert env["AZURE_STORAGE_ACCOUNT"] == "${{ vars.AZURE_STORAGE_ACCOUNT }}"  # a variable, not a secret
    assert env["DOCKERFILE"] == "${{ matrix.dockerfile }}"
    assert "scripts/bootstrap/venvs.sh dvc" in steps[pull]["run"]
