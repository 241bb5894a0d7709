"""Errors a user can act on: each says what is wrong, where, and how to fix it (no traceback)."""

from __future__ import annotations


class PlatformError(Exception):
    """An error reported to the user as one line; `fix` says what to do about it."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class ToolMissingError(PlatformError):
    """A required executable is not installed: gates never skip silently because of it."""
