"""The names a new app gets: its component name (a DNS label), Python package and title."""

from __future__ import annotations

import re
from dataclasses import dataclass

from platformctl.errors import PlatformError

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_LENGTH = 40  # leaves room for chart suffixes in the 63-character object names


@dataclass(frozen=True)
class AppNames:
    name: str  # exposition-api: component, Application, chart release, image, metrics label
    package: str  # exposition_api
    title: str  # Exposition API

    @classmethod
    def parse(cls, name: str) -> AppNames:
        if not _NAME.match(name) or len(name) > MAX_LENGTH:
            raise PlatformError(
                f"app name {name!r} is not a lower-case DNS label of at most {MAX_LENGTH} characters",
                fix="use letters, digits and single hyphens, starting with a letter, e.g. sales-api",
            )
        words = [word.upper() if word in {"api", "ui", "ml"} else word.capitalize() for word in name.split("-")]
        return cls(name=name, package=name.replace("-", "_"), title=" ".join(words))
