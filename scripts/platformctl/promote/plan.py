"""What a promotion changes: the pinned values of one component, copied from one env to another."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from platformctl.environments import Environment
from platformctl.errors import PlatformError
from platformctl.promote.images import VALUES_GLOBS, ImageRef, image_name, image_refs, refreshed, refs_in_text, set_tag
from platformctl.promote.pins import (
    Pin,
    chart_version_pin,
    exact_chart_version,
    image_tag_pin,
    immutable_image_tag,
    is_component,
    known_components,
)
from platformctl.promote.yamledit import set_scalar


@dataclass(frozen=True)
class Change:
    what: str
    file: Path
    path: tuple[str | int, ...]
    old: str | None
    new: str
    image_ref: ImageRef | None = None  # set for tags found by image name (possibly inside lists)


def _require_exact(pin: Pin, env: Environment, component: str) -> str:
    exact = exact_chart_version if pin.what == "chart version" else immutable_image_tag
    shown = "nothing" if pin.value is None else repr(pin.value)
    if pin.value is None or not exact(pin.value):
        wanted = "an exact version X.Y.Z" if pin.what == "chart version" else "a digest, commit SHA or X.Y.Z tag"
        raise PlatformError(
            f"{pin.file.relative_to(env.root)}: env {env.name} pins {shown} as the {pin.what} of {component}, "
            "not exactly",
            fix=f"set {'.'.join(pin.path)} to {wanted} in {env.name} first",
        )
    return pin.value


def plan_promotion(component: str, source: Environment, target: Environment) -> list[Change]:
    """Every pinned value of `component` in `source` that differs in `target` (refuses inexact pins)."""
    if source.name == target.name:
        raise PlatformError(f"--from and --to are both {source.name}", fix="promote between two environments")
    if not is_component(source, component):
        return _plan_image_by_name(component, source, target)
    changes = []
    pinned_anything = False
    for find_pin in (chart_version_pin, image_tag_pin):
        source_pin = find_pin(source, component)
        if source_pin is None:
            continue
        pinned_anything = True
        value = _require_exact(source_pin, source, component)
        target_pin = find_pin(target, component)
        if target_pin is None:
            raise PlatformError(
                f"{component} has a {source_pin.what} in {source.name} but not in {target.name}",
                fix=f"enable {component} in clusters/{target.name}/platform.yaml first",
            )
        if target_pin.value != value:
            changes.append(Change(source_pin.what, target_pin.file, target_pin.path, target_pin.value, value))
    if not pinned_anything:
        raise PlatformError(
            f"{component} pins neither a chart version nor an image tag in {source.name}",
            fix="promote a component with an upstream chart or an image (in-repo charts follow the repo revision)",
        )
    return changes


def _unknown(name: str, env: Environment) -> PlatformError:
    known = ", ".join(sorted(known_components(env)))
    return PlatformError(
        f"{name!r} is neither a component of env {env.name} (known: {known}) nor an image .../{name} that a "
        f"values-{env.name}.yaml under apps/ or platform/ pins with a tag",
        fix="check the name",
    )


def _by_name_changes(name: str, target: Environment, tag: str) -> list[Change]:
    refs = image_refs(target.root, target.name, name)
    if not refs:
        raise _unknown(name, target)
    return [Change("image tag", ref.file, ref.path, ref.tag, tag, ref) for ref in refs if ref.tag != tag]


def _plan_image_by_name(name: str, source: Environment, target: Environment) -> list[Change]:
    refs = image_refs(source.root, source.name, name)
    if not refs:
        raise _unknown(name, source)
    tags = sorted({ref.tag for ref in refs})
    if len(tags) != 1:
        found = ", ".join(tags) or "none"
        raise PlatformError(
            f"{name} is not a component, and env {source.name} pins {len(tags)} tags for image .../{name} ({found})",
            fix=f"pin exactly one tag for {name} in the values-{source.name}.yaml files",
        )
    shown = refs[0].file.relative_to(source.root)
    if not immutable_image_tag(tags[0]):
        raise PlatformError(
            f"{shown}: env {source.name} pins {tags[0]!r} as the image tag of {name}, not exactly",
            fix="use a digest, commit SHA or X.Y.Z tag",
        )
    return _by_name_changes(name, target, tags[0])


def plan_image_tag(component: str, target: Environment, tag: str) -> list[Change]:
    """Set a freshly built image tag (CI, after pushing the image) in `target`."""
    if not immutable_image_tag(tag):
        raise PlatformError(f"image tag {tag!r} is not immutable", fix="use the commit SHA or a digest")
    if not is_component(target, component):
        return _by_name_changes(component, target, tag)
    pin = image_tag_pin(target, component)
    if pin is None:
        raise PlatformError(
            f"{component} sets no image.tag in its values files for {target.name}",
            fix=f"add image.tag to the values of {component}",
        )
    return [] if pin.value == tag else [Change("image tag", pin.file, pin.path, pin.value, tag)]


def edited_files(changes: list[Change]) -> dict[Path, tuple[str, str]]:
    """file -> (text before, text after), every change of a file applied in order."""
    result: dict[Path, tuple[str, str]] = {}
    for change in changes:
        before = result[change.file][1] if change.file in result else _read(change.file)
        if change.image_ref is not None:
            after = set_tag(before, refreshed(change.image_ref, before), change.new)
        else:
            after = set_scalar(before, [str(key) for key in change.path], change.new, source=str(change.file))
        result[change.file] = (result.get(change.file, (before, ""))[0], after)
    return result


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def unified_diff(files: dict[Path, tuple[str, str]], root: Path) -> str:
    chunks = []
    for path, (before, after) in files.items():
        name = path.relative_to(root).as_posix()
        chunks += difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    return "".join(chunks)


def pending_promotions(source: Environment, target: Environment) -> list[str]:
    """Components and images-by-name whose exact pins in `source` differ from `target`'s (what to promote).

    Inexact source pins are not pending (they cannot be promoted), nor are components `target` lacks.
    """
    pending = []
    for component in sorted(known_components(source)):
        try:
            if plan_promotion(component, source, target):
                pending.append(component)
        except PlatformError:
            continue
    images = {
        image_name(ref.repository)
        for pattern in VALUES_GLOBS
        for file in source.root.glob(pattern.format(env=source.name))
        for ref in refs_in_text(file.read_text(encoding="utf-8"), file)
    }
    for image in sorted(images - set(known_components(source))):
        try:
            if _plan_image_by_name(image, source, target):
                pending.append(image)
        except PlatformError:
            continue
    return pending
