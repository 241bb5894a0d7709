"""ARM replay for the `platformctl aks` tests: recorded ARM responses served over HTTPS on 127.0.0.1.

The SDK client under test is the real one (its pipeline, retry, bearer-token and LRO policies); only
its endpoint points at `ReplayServer`, with a throw-away self-signed certificate it is told to trust,
and its credential is a fixed-token TokenCredential. Every request is recorded so a test can assert the
exact body `aks apply` sent, and an exchange that was never requested or a request that was never
recorded fails the test.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import shutil
import ssl
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.credentials import AccessToken
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from platformctl.aks.arm import make_client
from platformctl.environments import Environment, get_environment

RECORDINGS = Path(__file__).parent / "recordings"
FAKE_TOKEN = "replay-token"  # not a secret: the replay server only checks that it is sent


class FixedTokenCredential:
    """A TokenCredential that always returns the same bearer token (no Entra ID involved)."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(FAKE_TOKEN, int(time.time()) + 3600)


@dataclass
class ReceivedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class ReplayServer:
    base_url: str
    queues: dict[tuple[str, str], deque[dict[str, Any]]]
    received: list[ReceivedRequest] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def load(self, recording: str) -> None:
        document = json.loads((RECORDINGS / f"{recording}.json").read_text(encoding="utf-8"))
        for exchange in document["exchanges"]:
            key = (exchange["request"]["method"], exchange["request"]["path"].lower())
            self.queues[key].append(exchange["response"])

    def unused(self) -> list[str]:
        return [f"{method} {path}" for (method, path), queue in self.queues.items() for _ in queue]

    def sent(self, method: str, path_suffix: str) -> list[ReceivedRequest]:
        return [r for r in self.received if r.method == method and r.path.lower().endswith(path_suffix.lower())]


def _handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            server.received.append(
                ReceivedRequest(
                    self.command,
                    url.path,
                    parse_qs(url.query),
                    dict(self.headers.items()),
                    json.loads(raw) if raw else None,
                )
            )
            queue = server.queues.get((self.command, url.path.lower()))
            if self.headers.get("Authorization") != f"Bearer {FAKE_TOKEN}":
                response = _error(401, "InvalidAuthenticationToken", "no bearer token sent")
            elif not parse_qs(url.query).get("api-version"):
                response = _error(400, "MissingApiVersionParameter", "The api-version query parameter is required")
            elif not queue:
                server.unexpected.append(f"{self.command} {url.path}")
                response = _error(404, "NoRecordedResponse", f"nothing recorded for {self.command} {url.path}")
            else:
                response = queue.popleft()
            body = response.get("body")
            payload = json.dumps(body).replace("{endpoint}", server.base_url).encode() if body is not None else b""
            self.send_response(response["status"])
            for name, value in response.get("headers", {}).items():
                self.send_header(name, value.replace("{endpoint}", server.base_url))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_PUT = do_PATCH = do_DELETE = do_POST = _serve  # noqa: N815 - http.server naming

        def log_message(self, *_: Any) -> None:  # keep pytest output clean
            return

    return Handler


def _error(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "status": status,
        "headers": {"Content-Type": "application/json"},
        "body": {"error": {"code": code, "message": message}},
    }


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the SDK refuses bearer tokens over plain HTTP)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def arm_server(tls_files: tuple[Path, Path]) -> Iterator[ReplayServer]:
    cert_file, key_file = tls_files
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    server = ReplayServer(base_url=f"https://127.0.0.1:{httpd.server_address[1]}", queues=defaultdict(deque))
    httpd.RequestHandlerClass = _handler(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    assert not server.unexpected, f"requests with no recorded response: {server.unexpected}"


@pytest.fixture
def recorded_env(tmp_path: Path, repo_root: Path) -> Environment:
    """A repository copy whose dev cluster.yaml is the one the recordings were made against."""
    (tmp_path / "clusters" / "dev").mkdir(parents=True)
    shutil.copy(repo_root / "clusters" / "cluster.schema.json", tmp_path / "clusters")
    shutil.copy(RECORDINGS / "cluster.yaml", tmp_path / "clusters" / "dev" / "cluster.yaml")
    return get_environment("dev", tmp_path)


@pytest.fixture
def fixed_token_credential() -> FixedTokenCredential:
    return FixedTokenCredential()


@pytest.fixture
def arm_client(
    arm_server: ReplayServer,
    tls_files: tuple[Path, Path],
    recorded_env: Environment,
    fixed_token_credential: FixedTokenCredential,
) -> Any:
    subscription = recorded_env.cluster["spec"]["subscriptionId"]
    return make_client(
        subscription,
        credential=fixed_token_credential,
        endpoint=arm_server.base_url,
        connection_verify=str(tls_files[0]),
        polling_interval=0,
        retry_total=0,
    )
