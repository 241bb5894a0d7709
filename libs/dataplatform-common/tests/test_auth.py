"""Dev issuer and token verification with really signed tokens; the mint command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest
from dataplatform_common.auth import AuthError, Principal
from dataplatform_common.auth.dev import DevIssuer


def test_mint_command_prints_a_verifiable_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dataplatform_common.auth.dev", "mint", "--audience", "exposition-api",
         "--role", "Data.Read.Internal", "--dir", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    principal = DevIssuer(tmp_path).verifier("exposition-api").verify(result.stdout.strip())
    assert principal.roles == {"Data.Read.Internal"}
    assert (tmp_path / "dev-issuer-private.pem").stat().st_mode & 0o077 == 0


def test_verification_failures(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path / "a")
    verifier = issuer.verifier("app")
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(issuer.mint("app", [], now=int(time.time()) - 7200, lifetime_seconds=60))
    with pytest.raises(AuthError, match="audience"):
        verifier.verify(issuer.mint("other", []))
    with pytest.raises(AuthError, match="invalid token"):
        verifier.verify(DevIssuer(tmp_path / "b").mint("app", []))
    with pytest.raises(AuthError):
        verifier.verify("not.a.jwt")
    unsigned = jwt.encode({"aud": "app", "sub": "x"}, key=None, algorithm="none")
    with pytest.raises(AuthError):
        verifier.verify(unsigned)


def test_roles_map_to_classification_clearance() -> None:
    principal = Principal("u", frozenset({"Data.Read.Internal", "Enrichment.Run"}), {})
    assert principal.may_read("public") and principal.may_read("internal")
    assert not principal.may_read("confidential")
    assert not Principal("u", frozenset(), {}).may_read("public")


def test_remembered_token_is_verified_again_after_its_expiry(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path)
    verifier = issuer.verifier("app")
    token = issuer.mint("app", ["Data.Read.Public"])
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # served from the cache, no RSA verification
    first.claims["exp"] = int(time.time()) - 1  # as if its lifetime ran out meanwhile
    again = verifier.verify(token)
    assert again is not first and again.roles == first.roles  # really verified again
    expired = issuer.mint("app", [], now=int(time.time()) - 7200, lifetime_seconds=60)
    for _ in range(2):  # a failed verification is never remembered
        with pytest.raises(AuthError, match="expired"):
            verifier.verify(expired)
