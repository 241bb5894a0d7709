"""Bearer JWT verification: issuer, audience, expiry and RS256 signature against a JWKS.

Entra ID mode fetches the tenant's JWKS (cached, refreshed on an unknown `kid`); dev mode verifies with
the local dev issuer's public key (see `dataplatform_common.auth.dev`). App roles (`roles` claim) map to
the highest data classification a caller may read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
# App roles defined on the Entra app registrations (and minted by the dev issuer).
READ_ROLE_CLEARANCE = {f"Data.Read.{level.capitalize()}": level for level in CLASSIFICATIONS}
ENRICH_ROLE = "Enrichment.Run"
LEEWAY_SECONDS = 30


class AuthError(Exception):
    """401: no token, or a token that does not verify. `reason` is safe to return to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: frozenset[str]
    claims: dict[str, Any]

    @property
    def clearance(self) -> int:
        """Index in CLASSIFICATIONS of the highest classification readable; -1 when none."""
        levels = [CLASSIFICATIONS.index(READ_ROLE_CLEARANCE[r]) for r in self.roles if r in READ_ROLE_CLEARANCE]
        return max(levels, default=-1)

    def may_read(self, classification: str) -> bool:
        return CLASSIFICATIONS.index(classification) <= self.clearance


KeyResolver = Callable[[str], Any]  # token -> verification key


VERIFIED_CACHE_SIZE = 4096


@dataclass(slots=True)
class TokenVerifier:
    """Verifies tokens; a token that verified is remembered (by its exact bytes, signature included) until
    its `exp`, so a client reusing its token does not pay an RSA verification per request."""

    issuer: str
    audience: str
    resolve_key: KeyResolver
    _verified: dict[str, Principal] = field(default_factory=dict, repr=False, compare=False)

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached.claims["exp"]:
            return cached
        principal = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = principal
        return principal

    def _verify(self, token: str) -> Principal:
        try:
            key = self.resolve_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.InvalidAudienceError:
            raise AuthError(f"token audience is not {self.audience}") from None
        except jwt.InvalidIssuerError:
            raise AuthError("token issuer is not trusted") from None
        except jwt.PyJWKClientError:
            raise AuthError("token signing key is unknown") from None
        except jwt.InvalidTokenError as error:
            raise AuthError(f"invalid token: {error}") from None
        roles = claims.get("roles") or []
        if not isinstance(roles, list):
            raise AuthError("invalid token: roles claim must be a list")
        return Principal(subject=str(claims["sub"]), roles=frozenset(map(str, roles)), claims=claims)


def entra_verifier(tenant_id: str, audience: str) -> TokenVerifier:
    client = jwt.PyJWKClient(
        f"https://login.microsoftonline.com/{tenant_id}/discovery/v2.0/keys", cache_keys=True, lifespan=3600
    )
    return TokenVerifier(
        issuer=f"https://login.microsoftonline.com/{tenant_id}/v2.0",
        audience=audience,
        resolve_key=lambda token: client.get_signing_key_from_jwt(token).key,
    )


def verifier_from_environment(app_name: str) -> TokenVerifier:
    """AUTH_MODE=entra (ENTRA_TENANT_ID, AUTH_AUDIENCE) or dev (DEV_AUTH_DIR); audience defaults to the app."""
    mode = os.environ.get("AUTH_MODE", "entra")
    audience = os.environ.get("AUTH_AUDIENCE", app_name)
    if mode == "dev":
        from dataplatform_common.auth.dev import DevIssuer

        return DevIssuer(Path(os.environ.get("DEV_AUTH_DIR", "build/dev-auth"))).verifier(audience)
    if mode == "entra":
        tenant = os.environ.get("ENTRA_TENANT_ID")
        if not tenant:
            raise ValueError("AUTH_MODE=entra needs ENTRA_TENANT_ID (the Entra tenant GUID); use AUTH_MODE=dev locally")
        return entra_verifier(tenant, audience)
    raise ValueError(f"AUTH_MODE={mode!r} is unknown: use entra or dev")
