"""apps/<app>/slo.yaml: both apps' files load; a bad file is one clear line naming file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platformctl.errors import PlatformError
from platformctl.loadtest.slo import load_slo


@pytest.mark.parametrize("app", ["exposition-api", "enrichment-api"])
def test_each_api_has_a_valid_slo_file_with_a_bounded_load(repo_root: Path, app: str) -> None:
    spec = load_slo(repo_root / "apps" / app / "slo.yaml")
    assert spec.app == app
    assert spec.load.duration_seconds <= 30 and spec.load.max_requests <= 100_000
    assert all(group.route.startswith("/v1/") for group in spec.objectives.groups.values())


def write(tmp_path: Path, app: str, data: object) -> Path:
    path = tmp_path / app / "slo.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["load"].update(users=0), "key load.users: Input should be greater than or equal to 1"),
        (lambda d: d["load"].update(duration_seconds=3600), "key load.duration_seconds: Input should be less"),
        (lambda d: d["objectives"]["groups"]["catalog"].update(p99_ms=10), "p99_ms must be >= p95_ms"),
        (lambda d: d["objectives"].update(max_error_rate=0.1), "key objectives.max_error_rate: Extra inputs"),
        (lambda d: d.update(app="other"), "key app is 'other' but the folder is 'exposition-api'"),
    ],
)
def test_bad_values_are_one_line_naming_file_and_key(repo_root: Path, tmp_path: Path, mutate, message: str) -> None:
    data = yaml.safe_load((repo_root / "apps" / "exposition-api" / "slo.yaml").read_text())
    mutate(data)
    path = write(tmp_path, "exposition-api", data)
    with pytest.raises(PlatformError) as error:
        load_slo(path)
    text = str(error.value)
    assert str(path) in text and message in text and "\n" not in text and "fix:" in text


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(PlatformError, match="no SLO file"):
        load_slo(tmp_path / "x" / "slo.yaml")
    with pytest.raises(PlatformError, match="not valid YAML"):
        load_slo(write(tmp_path, "x", "app: [unclosed"))
