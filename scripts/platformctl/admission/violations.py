"""What a rule finds wrong in one pod: parts naming who (containers) and the offending field, grouped.

A rule returns a list of `Part`s: the containers that share one problem (`securityContext.runAsUser=0`,
`spec.hostNetwork=true`, ...). Pod-level fields name every container of the pod, since each one inherits
them. `describe` turns the parts into the message text, one clause per distinct problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    containers: tuple[str, ...]
    problem: str  # the offending state, e.g. 'securityContext.seccompProfile.type unset'


def group(pairs: Iterable[tuple[str, str]]) -> list[Part]:
    """(container, problem) pairs -> one Part per problem, containers in first-seen order."""
    by_problem: dict[str, list[str]] = {}
    for container, problem in pairs:
        names = by_problem.setdefault(problem, [])
        if container not in names:
            names.append(container)
    return [Part(tuple(names), problem) for problem, names in by_problem.items()]


def who(containers: Sequence[str]) -> str:
    quoted = ", ".join(f'"{name}"' for name in containers)
    return f"container {quoted}" if len(containers) == 1 else f"containers {quoted}"


def describe(parts: Sequence[Part]) -> str:
    """'containers "a", "b": X, Y; container "c": Z' (problems of the same containers joined)."""
    by_containers: dict[tuple[str, ...], list[str]] = {}
    for part in parts:
        by_containers.setdefault(part.containers, []).append(part.problem)
    return "; ".join(f"{who(names)}: {', '.join(problems)}" for names, problems in by_containers.items())
