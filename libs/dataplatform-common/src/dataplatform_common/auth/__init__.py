"""Bearer-token authentication for the data apps (Entra ID in clusters, a dev issuer locally)."""

from dataplatform_common.auth.tokens import (
    CLASSIFICATIONS,
    ENRICH_ROLE,
    READ_ROLE_CLEARANCE,
    AuthError,
    Principal,
    TokenVerifier,
    verifier_from_environment,
)

__all__ = [
    "CLASSIFICATIONS",
    "ENRICH_ROLE",
    "READ_ROLE_CLEARANCE",
    "AuthError",
    "Principal",
    "TokenVerifier",
    "verifier_from_environment",
]
