"""Local dev token issuer: an RSA key pair in DEV_AUTH_DIR and a command that mints signed JWTs.

    python -m dataplatform_common.auth.dev mint --audience exposition-api --role Data.Read.Internal

Only for AUTH_MODE=dev (laptops, tests, load tests); production verifies Entra ID tokens.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dataplatform_common.auth.tokens import TokenVerifier

DEV_ISSUER = "https://dev-issuer.dataplatform.local"
KEY_ID = "dev-1"
PRIVATE_KEY_FILE = "dev-issuer-private.pem"
PUBLIC_KEY_FILE = "dev-issuer-public.pem"


class DevIssuer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _ensure_keys(self) -> None:
        private_path = self.directory / PRIVATE_KEY_FILE
        if private_path.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public_pem = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # Write to temporary names then rename, so concurrent workers never read a half-written key.
        tmp_private = private_path.with_suffix(f".{os.getpid()}.tmp")
        tmp_private.write_bytes(pem)
        tmp_private.chmod(0o600)
        tmp_public = (self.directory / PUBLIC_KEY_FILE).with_suffix(f".{os.getpid()}.tmp")
        tmp_public.write_bytes(public_pem)
        tmp_public.replace(self.directory / PUBLIC_KEY_FILE)
        tmp_private.replace(private_path)

    def public_key(self) -> object:
        self._ensure_keys()
        return serialization.load_pem_public_key((self.directory / PUBLIC_KEY_FILE).read_bytes())

    def verifier(self, audience: str) -> TokenVerifier:
        key = self.public_key()
        return TokenVerifier(issuer=DEV_ISSUER, audience=audience, resolve_key=lambda _token: key)

    def mint(
        self,
        audience: str,
        roles: list[str],
        subject: str = "dev-user",
        lifetime_seconds: int = 3600,
        issuer: str = DEV_ISSUER,
        now: int | None = None,
    ) -> str:
        self._ensure_keys()
        issued = int(time.time()) if now is None else now
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": subject,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime_seconds,
            "roles": roles,
        }
        private_key = (self.directory / PRIVATE_KEY_FILE).read_bytes()
        return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": KEY_ID})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dataplatform_common.auth.dev", description="Dev token issuer")
    sub = parser.add_subparsers(dest="command", required=True)
    mint = sub.add_parser("mint", help="print a signed JWT")
    mint.add_argument("--audience", required=True, help="the app: exposition-api or enrichment-api")
    mint.add_argument("--role", action="append", default=[], help="app role, repeatable (e.g. Data.Read.Internal)")
    mint.add_argument("--subject", default="dev-user")
    mint.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")
    mint.add_argument("--dir", type=Path, default=Path(os.environ.get("DEV_AUTH_DIR", "build/dev-auth")))
    args = parser.parse_args(argv)
    try:
        token = DevIssuer(args.dir).mint(args.audience, args.role, args.subject, args.lifetime)
    except OSError as error:
        print(f"dev issuer: cannot use key folder {args.dir}: {error.strerror}", file=sys.stderr)
        return 2
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
