"""The images main's workflow builds: one per `apps/<app>/Dockerfile` (and platformctl's own, which the
data apps' verification hook runs), pushed where the values pin it.

`python -m platformctl.promote.built_images` prints them as a JSON list for a GitHub Actions matrix:
`{"dockerfile", "image", "repository"}`. The image name is the Dockerfile's
`LABEL org.opencontainers.image.title`, else the app's folder; its repository (`<registry>/<path>`) is
read from the dev values files that pin it (`image.registry` + `image.repository`, or a repository
that already names its registry), so an image is pushed exactly where Argo CD will pull it from.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

from platformctl.errors import PlatformError
from platformctl.paths import repo_root
from platformctl.promote.images import VALUES_GLOBS, image_name

DOCKERFILES = ("apps/*/Dockerfile", "scripts/platformctl/Dockerfile")
_TITLE = re.compile(r'org\.opencontainers\.image\.title="?([a-z0-9][a-z0-9-]*)')


def _pinned_repositories(root: Path, env: str) -> dict[str, set[str]]:
    """image name -> full repositories (`registry/path`) the env's values files (base and env) declare."""
    found: dict[str, set[str]] = {}

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            repository, registry = node.get("repository"), node.get("registry")
            if isinstance(repository, str) and repository and "tag" in node:
                full = f"{registry}/{repository}" if isinstance(registry, str) and registry else repository
                found.setdefault(image_name(repository), set()).add(full)
            for value in node.values():
                walk(value)

    patterns = [p.format(env=env) for p in VALUES_GLOBS] + ["apps/*/values.yaml", "platform/*/values.yaml"]
    for pattern in patterns:
        for file in sorted(root.glob(pattern)):
            walk(yaml.safe_load(file.read_text(encoding="utf-8")))
    return found


def built_images(root: Path, env: str = "dev") -> list[dict[str, str]]:
    repositories = _pinned_repositories(root, env)
    images = []
    for dockerfile in sorted(path for pattern in DOCKERFILES for path in root.glob(pattern)):
        title = _TITLE.search(dockerfile.read_text(encoding="utf-8"))
        name = title.group(1) if title else dockerfile.parent.name
        candidates = sorted(repositories.get(name, set()))
        if len(candidates) != 1:
            shown = dockerfile.relative_to(root)
            raise PlatformError(
                f"{shown}: image {name!r} is pinned by {len(candidates)} repositories in the {env} values "
                f"({', '.join(candidates) or 'none'})",
                fix='pin it once as image.repository (or set LABEL org.opencontainers.image.title="<image>")',
            )
        images.append(
            {"dockerfile": dockerfile.relative_to(root).as_posix(), "image": name, "repository": candidates[0]}
        )
    return images


def main() -> int:
    try:
        print(json.dumps(built_images(repo_root())))
    except PlatformError as error:
        print(f"built_images: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
