"""Registering a pipeline app as a Dagster user deployment (code location) in platform/dagster values.

The reference pipeline is registered in `platform/dagster/values.yaml` and again in every
`values-<env>.yaml` (Helm replaces lists, so each env restates `dagster-user-deployments.deployments`).
A new pipeline gets, in each of those files, a copy of the first deployment's block (the platform's
conventions: image registry, gRPC module, port, env, secrets as ExternalSecrets, security contexts,
sizes per env), renamed, with the new app's owner and data classification; appended as text so every
other line, comments included, stays as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from platformctl.environments import Environment
from platformctl.errors import PlatformError
from platformctl.scaffold.derive import rename
from platformctl.scaffold.naming import AppNames

DAGSTER_VALUES = Path("platform/dagster")
SECTION = ("dagster-user-deployments", "deployments")
_OWNER = re.compile(r"^(\s*platform\.example/owner:)\s*\S+\s*$", re.MULTILINE)
_CLASSIFICATION = re.compile(r"^(\s*platform\.example/data-classification:)\s*\S+\s*$", re.MULTILINE)


def values_files(root: Path, environments: list[Environment]) -> list[Path]:
    """values.yaml and each env's values-<env>.yaml that restates the user deployments."""
    folder = root / DAGSTER_VALUES
    candidates = [folder / "values.yaml", *(folder / f"values-{env.name}.yaml" for env in environments)]
    files = [
        path for path in candidates if path.is_file() and _deployments(yaml.safe_load(path.read_text())) is not None
    ]
    if not files:
        raise PlatformError(
            f"{DAGSTER_VALUES}: no values file with {'.'.join(SECTION)}",
            fix="register the reference pipeline as a Dagster user deployment first",
        )
    return files


def _deployments(data: object) -> list | None:
    for key in SECTION:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, list) and data else None


def _sequence(text: str, source: str) -> yaml.SequenceNode:
    node = yaml.compose(text)
    for key in SECTION:
        node = (
            next((value for name, value in node.value if name.value == key), None)
            if isinstance(node, yaml.MappingNode)
            else None
        )
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise PlatformError(f"{source}: no block list {'.'.join(SECTION)}", fix="see platform/dagster/values.yaml")
    return node


def _last_line_end(text: str, node: yaml.Node) -> int:
    """Index just after the line holding the last scalar or flow collection of `node`.

    Block collections end where the next token starts (mid-line), so descend to their last leaf.
    """
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    line_end = text.find("\n", node.end_mark.index)
    return len(text) if line_end == -1 else line_end + 1


def add_deployment(text: str, new: AppNames, owner: str, classification: str, source: str) -> str:
    """`text` with a deployment for `new` appended, copied from the first deployment."""
    sequence = _sequence(text, source)
    first = sequence.value[0]
    names = [yaml.safe_load(text)[SECTION[0]][SECTION[1]][i].get("name") for i in range(len(sequence.value))]
    if new.name in names:
        raise PlatformError(f"{source}: Dagster user deployment {new.name!r} already exists", fix="choose another name")
    reference = AppNames.parse(str(names[0]))
    start = text.rfind("\n", 0, first.start_mark.index) + 1
    block = rename(text[start : _last_line_end(text, first)], reference, new)
    block = _CLASSIFICATION.sub(rf"\1 {classification}", _OWNER.sub(rf"\1 {owner}", block))
    cut = _last_line_end(text, sequence)
    before = text[:cut] if text[:cut].endswith("\n") else text[:cut] + "\n"
    edited = before + block + text[cut:]
    _verify(text, edited, new, source)
    return edited


def _verify(text: str, edited: str, new: AppNames, source: str) -> None:
    before, after = yaml.safe_load(text), yaml.safe_load(edited)
    old_list, new_list = _deployments(before), _deployments(after)
    after[SECTION[0]][SECTION[1]] = new_list[:-1] if new_list else new_list
    if (
        after != before
        or old_list is None
        or len(new_list or []) != len(old_list) + 1
        or new_list[-1]["name"] != new.name
    ):
        raise PlatformError(
            f"{source}: could not append Dagster user deployment {new.name}",
            fix=f"add {new.name} under {'.'.join(SECTION)} by hand",
        )
