"""Set one scalar in a YAML file without rewriting the rest of it (comments, order, flow style kept).

PyYAML's composer records where every node starts and ends in the text, so a value is replaced by
editing exactly its span; a missing key is inserted next to its siblings. Every edit is checked by
parsing the result: only the addressed value may differ from the original document.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import yaml

from platformctl.errors import PlatformError


def render_scalar(value: str) -> str:
    """The value as a YAML scalar that reads back as the same string (quoted when YAML would not)."""
    plain = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return plain.removesuffix("\n...").removesuffix("...").strip()


def get_path(document: Any, path: Sequence[str]) -> Any:
    node = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_scalar(text: str, path: Sequence[str], value: str, *, source: str = "<yaml>") -> str:
    """`text` with the scalar at `path` set to `value` (created, with its parents, when missing)."""
    if not path:
        raise ValueError("empty path")
    root = yaml.compose(text) if text.strip() else None
    if root is None:
        return _verified(text, _nested_block(path, value, indent=0) + "\n", path, value, source)
    node, depth = root, 0
    while depth < len(path):
        if not isinstance(node, yaml.MappingNode):
            where = ".".join(path[:depth]) or "(document)"
            raise PlatformError(f"{source}: {where} is not a mapping", fix=f"make it a mapping to hold {path[depth]}")
        child = next((v for k, v in node.value if k.value == path[depth]), None)
        if child is None:
            break
        node, depth = child, depth + 1
    if depth == len(path):
        if not isinstance(node, yaml.ScalarNode):
            raise PlatformError(f"{source}: {'.'.join(path)} is not a scalar", fix="set a plain value there")
        edited = text[: node.start_mark.index] + render_scalar(value) + text[node.end_mark.index :]
    else:
        edited = _insert(text, node, path[depth:], value)
    return _verified(text, edited, path, value, source)


def _nested_block(path: Sequence[str], value: str, indent: int) -> str:
    lines = [" " * (indent + 2 * i) + f"{key}:" for i, key in enumerate(path[:-1])]
    lines.append(" " * (indent + 2 * (len(path) - 1)) + f"{path[-1]}: {render_scalar(value)}")
    return "\n".join(lines)


def _nested_flow(path: Sequence[str], value: str) -> str:
    inner = render_scalar(value)
    for key in reversed(path[1:]):
        inner = f"{{{key}: {inner}}}"
    return f"{path[0]}: {inner}"


def _insert(text: str, mapping: yaml.MappingNode, rest: Sequence[str], value: str) -> str:
    if mapping.flow_style or not mapping.value:
        if not mapping.flow_style:  # an empty block mapping cannot be told apart from an empty value
            raise PlatformError(f"cannot insert {'.'.join(rest)} into an empty mapping", fix="add it by hand")
        opening = mapping.start_mark.index + 1  # just after "{"
        separator = ", " if mapping.value else ""
        return text[:opening] + _nested_flow(rest, value) + separator + text[opening:]
    first_key = mapping.value[0][0]
    line_start = text.rfind("\n", 0, first_key.start_mark.index) + 1
    indent = first_key.start_mark.column
    return text[:line_start] + _nested_block(rest, value, indent) + "\n" + text[line_start:]


def _verified(before: str, after: str, path: Sequence[str], value: str, source: str) -> str:
    expected = copy.deepcopy(yaml.safe_load(before)) or {}
    node = expected
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    if yaml.safe_load(after) != expected:
        raise PlatformError(
            f"{source}: editing {'.'.join(path)} would change more than that value",
            fix=f"set {'.'.join(path)} by hand",
        )
    return after
