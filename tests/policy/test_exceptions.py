"""Exceptions: a valid one covers its failure; expired, stale, reasonless or unbounded ones fail the gate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from platformctl.errors import PlatformError
from platformctl.policy.exceptions import apply_exceptions, load_exceptions
from platformctl.policy.results import EXCEPTED, FAILED, PASSED, PolicyResult

TODAY = dt.date(2026, 11, 26)
ENVS = ["dev", "staging", "prod"]


def result(check: str = "CKV_PLATFORM_2", obj: str = "Deployment/data-apps/api", env: str = "prod") -> PolicyResult:
    return PolicyResult(env, "kubernetes", check, obj, "exposition-api", "build/x.yaml", 3, FAILED, "t", "f")


def load(tmp_path: Path, body: str) -> tuple[list, list[str]]:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n" + body, encoding="utf-8")
    return load_exceptions(path)


ENTRY = """  - check: CKV_PLATFORM_2
    object: {obj}
    application: {app}
    reason: {reason}
    owner: data-platform-team
    expires: {expires}
"""


def entry(
    obj: str = "Deployment/data-apps/api", app: str = "exposition-api", reason: str = "why", expires: str = "2027-01-31"
) -> str:
    return ENTRY.format(obj=obj, app=app, reason=reason, expires=expires)


def problems_of(results: list[PolicyResult]) -> list[str]:
    return [r.title for r in results if r.check_id == "PLATFORM_EXCEPTION"]


def test_valid_exception_marks_the_failure_excepted(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry())
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY)
    assert [r.status for r in out] == [EXCEPTED]
    assert "why" in out[0].exception_reason


def test_expired_exception_fails_and_no_longer_covers(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(expires="2026-11-25"))
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY)
    assert result() in out  # still failing
    assert any("expired on 2026-11-25" in p for p in problems_of(out))


def test_exception_expiring_today_is_still_valid(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(expires="2026-11-26"))
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY)
    assert [r.status for r in out] == [EXCEPTED]


def test_stale_exception_fails(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(obj="Deployment/data-apps/gone"))
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY)
    assert any("stale" in p and "Deployment/data-apps/gone" in p for p in problems_of(out))


def test_staleness_is_not_judged_on_envs_that_did_not_run(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(obj="Deployment/data-apps/gone"))
    out = apply_exceptions([result(env="dev")], exceptions, shape, ["dev"], ENVS, TODAY)
    assert problems_of(out) == []


def test_an_exception_does_not_cover_a_passed_result(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry())
    passed = PolicyResult(
        "prod", "kubernetes", "CKV_PLATFORM_2", "Deployment/data-apps/api", "exposition-api", "f", 1, PASSED
    )
    out = apply_exceptions([passed], exceptions, shape, ENVS, ENVS, TODAY)
    assert any("stale" in p for p in problems_of(out))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (entry(reason="''"), "missing reason"),
        (entry(expires="next-year"), "is not a date"),
        (entry(obj="Deployment/*/*", app="''"), "set `application`"),
        (entry() + "    ticket: 1\n", "unknown field(s) ticket"),
    ],
)
def test_malformed_entries_fail_the_gate(tmp_path: Path, body: str, message: str) -> None:
    exceptions, shape = load(tmp_path, body)
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY)
    assert any(message in p for p in problems_of(out)), problems_of(out)


def test_glob_is_limited_to_its_application(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(obj="Deployment/data-apps/*"))
    other_app = PolicyResult(
        "prod", "kubernetes", "CKV_PLATFORM_2", "Deployment/data-apps/x", "enrichment-api", "f", 1, FAILED
    )
    out = apply_exceptions([result(), other_app], exceptions, shape, ENVS, ENVS, TODAY)
    statuses = {r.application: r.status for r in out if r.check_id == "CKV_PLATFORM_2"}
    assert statuses == {"exposition-api": EXCEPTED, "enrichment-api": FAILED}


def test_exceptions_file_of_the_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("- check: x\n", encoding="utf-8")
    with pytest.raises(PlatformError, match="expected a mapping with a list `exceptions`"):
        load_exceptions(path)


def test_repository_exceptions_file_is_valid(repo_root: Path) -> None:
    exceptions, shape = load_exceptions(repo_root / "policies" / "exceptions.yaml")
    assert shape == []
    assert all(e.expires and e.expires >= dt.date.today() for e in exceptions)


def test_an_entry_that_cannot_be_judged_covers_but_is_never_stale(tmp_path: Path) -> None:
    exceptions, shape = load(tmp_path, entry(obj="Deployment/data-apps/gone") + entry())
    out = apply_exceptions([result()], exceptions, shape, ENVS, ENVS, TODAY, judgeable=lambda e: False)
    assert [r.status for r in out] == [EXCEPTED]


def test_admission_entries_are_left_to_the_admission_gate() -> None:
    from platformctl.admission.gate import owns

    assert owns("PSS_hostNamespaces") and owns("AZP_AllowedUsersGroups") and not owns("CKV_PLATFORM_2")


def test_an_entry_for_an_upstream_chart_not_rendered_offline_is_never_stale(tmp_path: Path) -> None:
    """Offline CI renders no upstream chart: entries for them are judged by the chart-cache run only."""
    from platformctl.policy.gate import judgeable_in

    exceptions, shape = load(tmp_path, entry(obj="Deployment/datahub/datahub-datahub-frontend", app="datahub"))
    datahub = SimpleNamespace(name="datahub")

    def staleness(unrendered_in: tuple[str, ...]) -> list[str]:
        inputs = [SimpleNamespace(name=env, upstream_unrendered=[datahub] * (env in unrendered_in)) for env in ENVS]
        judgeable = judgeable_in(inputs)  # type: ignore[arg-type]
        return problems_of(apply_exceptions([], exceptions, shape, ENVS, ENVS, TODAY, judgeable=judgeable))

    assert staleness(("dev", "staging", "prod")) == []
    assert staleness(("dev",)) == []  # one env of its scope unrendered: nothing proves it stale
    assert "is stale" in staleness(())[0]


def test_an_entry_limited_to_prod_is_judged_when_prod_is_rendered(tmp_path: Path) -> None:
    from platformctl.policy.gate import judgeable_in

    body = entry(obj="Deployment/datahub/datahub-datahub-frontend", app="datahub") + "    envs: [prod]\n"
    exceptions, shape = load(tmp_path, body)
    inputs = [SimpleNamespace(name=env, upstream_unrendered=[SimpleNamespace(name="datahub")]) for env in ENVS[:2]]
    inputs.append(SimpleNamespace(name="prod", upstream_unrendered=[]))
    out = apply_exceptions([], exceptions, shape, ENVS, ENVS, TODAY, judgeable=judgeable_in(inputs))  # type: ignore[arg-type]
    assert "is stale" in problems_of(out)[0]
