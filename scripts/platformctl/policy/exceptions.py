"""Justified, expiring exceptions (policies/exceptions.yaml).

An entry names a check id, an object (`Kind/namespace/name`, `Kind/name` for cluster-scoped kinds,
`Dockerfile/<path>` or `File/<path>`; shell-style globs only together with `application`, so a glob
never reaches beyond one Argo CD Application), a reason, an owner and an expiry date; `envs`
optionally limits it to some environments. The gate fails on an entry that lacks a field, has
expired, or matches no failing result (stale) in the environments it was run on.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError
from platformctl.policy.catalogue import EXCEPTION_CHECK_ID
from platformctl.policy.results import EXCEPTED, FAILED, PolicyResult

EXCEPTIONS_FILE = "policies/exceptions.yaml"
REQUIRED_FIELDS = ("check", "object", "reason", "owner", "expires")
KNOWN_FIELDS = frozenset((*REQUIRED_FIELDS, "application", "envs"))
GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class PolicyException:
    index: int
    line: int
    check: str
    object: str
    application: str
    envs: tuple[str, ...]  # empty: every environment
    reason: str
    owner: str
    expires: dt.date | None

    @property
    def label(self) -> str:
        return f"Exception/{self.index}"

    def covers(self, result: PolicyResult) -> bool:
        if result.check_id != self.check or result.status == "PASSED":
            return False
        if self.envs and result.env and result.env not in self.envs:
            return False
        if self.application and result.application != self.application:
            return False
        return fnmatch.fnmatchcase(result.object, self.object)


def _entry_lines(text: str) -> list[int]:
    """1-based line of every entry of the `exceptions` list (for messages that point at the entry)."""
    node = yaml.compose(text)
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "exceptions" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def load_exceptions(path: Path) -> tuple[list[PolicyException], list[str]]:
    """The entries of the file and the problems of their shape (one message per problem)."""
    if not path.is_file():
        return [], []
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text) or {}
        lines = _entry_lines(text)
    except yaml.YAMLError as error:
        raise PlatformError(f"{path}: malformed YAML: {error}", fix="correct the YAML syntax") from error
    entries = document.get("exceptions") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise PlatformError(f"{path}: expected a mapping with a list `exceptions`", fix="see the header of the file")
    exceptions: list[PolicyException] = []
    problems: list[str] = []
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else 0
        where = f"{path.name}:{line} exception #{index}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping with {', '.join(REQUIRED_FIELDS)}")
            continue
        missing = [name for name in REQUIRED_FIELDS if not str(entry.get(name) or "").strip()]
        unknown = sorted(set(entry) - KNOWN_FIELDS)
        expires = _as_date(entry.get("expires"))
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
        if unknown:
            problems.append(
                f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_FIELDS))})"
            )
        if entry.get("expires") and expires is None:
            problems.append(f"{where}: expires {entry.get('expires')!r} is not a date (YYYY-MM-DD)")
        obj, application = str(entry.get("object") or ""), str(entry.get("application") or "")
        if GLOB_CHARACTERS & set(obj) and not application:
            problems.append(f"{where}: object {obj!r} is a glob: set `application` to limit it to one Application")
        envs = entry.get("envs") or []
        exceptions.append(
            PolicyException(
                index=index,
                line=line,
                check=str(entry.get("check") or ""),
                object=obj,
                application=application,
                envs=tuple(str(e) for e in (envs if isinstance(envs, list) else [envs])),
                reason=str(entry.get("reason") or "").strip(),
                owner=str(entry.get("owner") or "").strip(),
                expires=expires,
            )
        )
    return exceptions, problems


def _problem(message: str, line: int, fix: str, obj: str) -> PolicyResult:
    return PolicyResult(
        env="",
        framework="exceptions",
        check_id=EXCEPTION_CHECK_ID,
        object=obj,
        application="",
        file=EXCEPTIONS_FILE,
        line=line,
        status=FAILED,
        title=message,
        fix=fix,
    )


def apply_exceptions(
    results: Sequence[PolicyResult],
    exceptions: Iterable[PolicyException],
    shape_problems: Iterable[str],
    envs_run: Sequence[str],
    all_envs: Sequence[str],
    today: dt.date,
    judgeable: Callable[[PolicyException], bool] = lambda exception: True,
) -> list[PolicyResult]:
    """Results with covered failures marked EXCEPTED, plus one failing result per bad exception.

    `judgeable` says whether an entry can be stale in this run (an entry for objects that were not
    rendered still covers, but matching nothing proves nothing)."""
    exceptions = list(exceptions)
    problems = [_problem(message, 0, "complete or delete the entry", "Exception/shape") for message in shape_problems]
    valid: list[PolicyException] = []
    for exception in exceptions:
        if not (exception.reason and exception.owner and exception.expires and exception.check and exception.object):
            continue  # already reported as a shape problem
        if exception.expires < today:
            problems.append(
                _problem(
                    f"exception #{exception.index} ({exception.check} on {exception.object}) expired on "
                    f"{exception.expires.isoformat()}",
                    exception.line,
                    "fix the finding through values and delete the entry (or renew it with a new reason)",
                    exception.label,
                )
            )
            continue
        valid.append(exception)

    used: set[int] = set()
    out: list[PolicyResult] = []
    for result in results:
        match = next((e for e in valid if e.covers(result)), None) if result.status == FAILED else None
        if match is None:
            out.append(result)
        else:
            used.add(match.index)
            out.append(result.excepted(f"{match.reason} (owner {match.owner}, expires {match.expires})"))

    for exception in valid:
        scope = exception.envs or tuple(all_envs)
        judged = all(env in envs_run for env in scope)
        if judged and exception.index not in used and judgeable(exception):
            problems.append(
                _problem(
                    f"exception #{exception.index} ({exception.check} on {exception.object}) is stale: it matches no "
                    f"failing result in {', '.join(scope)}",
                    exception.line,
                    "delete the entry (the finding is gone) or correct its check/object/application",
                    exception.label,
                )
            )
    return [*out, *problems]


__all__ = ["EXCEPTED", "EXCEPTIONS_FILE", "PolicyException", "apply_exceptions", "load_exceptions"]
