"""The one error a normalisation rule raises on a value it cannot clean."""

from __future__ import annotations


class NormalisationError(ValueError):
    """A value that no rule can turn into its canonical form.

    `code` is stable and machine-readable (e.g. `invalid_email`); `message` says what is wrong in words a
    data producer can act on. Neither ever contains the rejected value (it may be personal data).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
