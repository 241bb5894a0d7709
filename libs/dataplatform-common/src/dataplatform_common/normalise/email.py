"""E-mail address normalisation: trim, lower-case, syntax check (no DNS: it must work offline)."""

from __future__ import annotations

import re

from dataplatform_common.normalise.errors import NormalisationError

# A pragmatic subset of RFC 5321: dot-atom local part, at least one dot in the domain, TLD of letters.
_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)
_MAX_LENGTH = 254


def normalise_email(value: str) -> str:
    """Return the canonical form (trimmed, lower-case) or raise NormalisationError."""
    email = value.strip().lower()
    if not email:
        raise NormalisationError("required", "e-mail address is empty")
    if len(email) > _MAX_LENGTH:
        raise NormalisationError("invalid_email", f"e-mail address is longer than {_MAX_LENGTH} characters")
    if not _EMAIL.match(email):
        raise NormalisationError("invalid_email", "not a valid e-mail address (expected name@domain.tld)")
    return email
