"""Helpers for the apps' tests: a real (small) gold DuckDB file and really signed dev tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dataplatform_common.auth.dev import DEV_ISSUER, DevIssuer
from dataplatform_common.sample_gold import generate

TEST_ROWS = 5_000


def make_gold(directory: Path, rows: int = TEST_ROWS) -> Path:
    path = directory / "gold.duckdb"
    generate(path, rows)
    return path


class Tokens:
    """Mint tokens for one audience; `other_issuer` signs with a key the app does not trust."""

    def __init__(self, directory: Path, audience: str) -> None:
        self.issuer = DevIssuer(directory / "trusted")
        self.other_issuer = DevIssuer(directory / "untrusted")
        self.audience = audience

    def verifier(self):
        return self.issuer.verifier(self.audience)

    def header(self, *roles: str, **overrides: object) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.mint(*roles, **overrides)}

    def mint(self, *roles: str, audience: str | None = None, lifetime_seconds: int = 600, now: int | None = None,
             untrusted: bool = False, issuer: str = DEV_ISSUER) -> str:  # fmt: skip
        signer = self.other_issuer if untrusted else self.issuer
        return signer.mint(audience or self.audience, list(roles), lifetime_seconds=lifetime_seconds, now=now,
                           issuer=issuer)  # fmt: skip


def fuzz_openapi(
    app: object, headers: dict[str, str], max_examples: int = 15, opaque_query: tuple[str, ...] = ()
) -> list[str]:
    """Run schemathesis over every operation of the app's /openapi.json (all default checks: no 5xx,
    status codes, content types, headers and bodies conform to the document). Returns the failures.

    `opaque_query` parameters (e.g. a pagination cursor) cannot be generated valid from a schema: they are
    left out of generated cases (their own tests cover them), so "schema-valid request rejected" stays on.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    # The WSGI transport does not decompress; gzip is tested separately.
    headers = {**headers, "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, headers=headers)
    failures: list[str] = []

    def fuzz(operation: Any) -> None:
        @given(case=operation.as_strategy())
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            for name in opaque_query:
                (case.query or {}).pop(name, None)
            case.call_and_validate(headers=headers)

        check()

    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(operation)
        except Exception as error:  # schemathesis raises grouped check failures; report every operation's
            failures.append(f"{operation.label}: {str(error)[:3000]}")
    return failures
