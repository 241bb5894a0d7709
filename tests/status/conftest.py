"""A recorded Argo CD API on 127.0.0.1: the Applications this repository renders for an env, each with the
status block Argo CD v3.4 returns (recordings/), changed per scenario (degraded, out of sync, failed hook).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from platformctl.argocd.revisions import resolve
from platformctl.environments import get_environment
from platformctl.paths import repo_root
from platformctl.render import render_root

RECORDINGS = Path(__file__).with_name("recordings")
TOKEN = "argocd-replay-token"


def _recorded_status(name: str, namespace: str) -> dict[str, Any]:
    text = (RECORDINGS / "status-synced-healthy.json").read_text(encoding="utf-8")
    status = json.loads(text.replace('"APP', f'"{name}').replace("APP-verify", f"{name}-verify"))
    status.pop("_comment")
    for resource in status["operationState"]["syncResult"]["resources"]:
        resource["namespace"] = namespace
        resource["name"] = resource["name"].replace("APP", name)
    return status


def _revisions(application: dict[str, Any], revision: str, repo_url: str) -> list[str]:
    spec = application["spec"]
    sources = spec.get("sources") or [spec["source"]]
    return [revision if s.get("repoURL") == repo_url else str(s.get("targetRevision")) for s in sources]


def live_application(application: dict[str, Any], revision: str, repo_url: str) -> dict[str, Any]:
    """`application` as the API returns it once synced at `revision`: Synced, Healthy, its hook passed."""
    live = copy.deepcopy(application)
    name = live["metadata"]["name"]
    status = _recorded_status(name, live["spec"]["destination"].get("namespace", ""))
    revisions = _revisions(live, revision, repo_url)
    blocks = (status["sync"], status["operationState"]["syncResult"], status["operationState"]["operation"]["sync"])
    for block in blocks:
        block.pop("revisions")
        if "sources" in live["spec"]:
            block["revisions"] = revisions
        else:
            block["revision"] = revisions[0]
    if not any(s.get("path") == "apps/chart" for s in live["spec"].get("sources") or [live["spec"]["source"]]):
        resources = status["operationState"]["syncResult"]["resources"]
        status["operationState"]["syncResult"]["resources"] = [r for r in resources if not r.get("hookType")]
    live["metadata"].update({"uid": f"uid-{name}", "resourceVersion": "90210", "generation": 12})
    live["status"] = status
    return live


@dataclass
class ArgoCdReplay:
    env: str
    url: str
    revision: str
    applications: dict[str, dict[str, Any]]
    logs: dict[str, str] = field(default_factory=dict)  # application -> NDJSON body of its hook logs
    requests: list[str] = field(default_factory=list)

    def set_status(self, name: str, **changes: Any) -> dict[str, Any]:
        status = self.applications[name]["status"]
        for dotted, value in changes.items():
            node = status
            *parents, last = dotted.split("__")
            for key in parents:
                node = node[key]
            node[last] = value
        return status

    def fail_hook(self, name: str, message: str) -> None:
        operation = self.applications[name]["status"]["operationState"]
        operation["phase"] = "Failed"
        operation["message"] = "one or more synchronization tasks completed unsuccessfully"
        for resource in operation["syncResult"]["resources"]:
            if resource.get("hookType"):
                resource.update({"hookPhase": "Failed", "status": "SyncFailed", "message": message})


def _handler(replay: ArgoCdReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def _send(self, code: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            replay.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, json.dumps({"error": "invalid session: token is malformed", "code": 16}))
                return
            parts = urlsplit(self.path)
            segments = parts.path.strip("/").split("/")
            if segments == ["api", "v1", "applications"]:
                self._send(200, json.dumps({"metadata": {"resourceVersion": "90210"},
                                            "items": list(replay.applications.values())}))  # fmt: skip
            elif segments[:3] == ["api", "v1", "applications"] and segments[4:] == ["logs"]:
                query = parse_qs(parts.query)
                if segments[3] in replay.logs and query.get("kind") == ["Job"]:
                    self._send(200, replay.logs[segments[3]], "application/x-ndjson")
                else:
                    self._send(404, json.dumps({"error": "pods not found", "code": 5}))
            else:
                self._send(404, json.dumps({"error": "Not Found", "code": 5}))

    return Handler


@contextmanager
def serve_replay(root: Path, env: str, revision: str) -> Iterator[ArgoCdReplay]:
    """The Argo CD of `env` on 127.0.0.1: every Application of the checkout at `root` Synced and Healthy at
    `revision`, its verification hook passed."""
    environment = get_environment(env, root)
    rendered = render_root(environment)
    assert not rendered.findings, rendered.findings
    repo_url = environment.platform["repo"]["url"]
    applications = {
        obj["metadata"]["name"]: live_application(obj, revision, repo_url)
        for obj in [*rendered.bootstrap_objects, *rendered.root_objects]
        if obj.get("kind") == "Application"
    }
    replay = ArgoCdReplay(env, "", revision, applications)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()


def point_at(monkeypatch: pytest.MonkeyPatch, replay: ArgoCdReplay) -> None:
    suffix = replay.env.upper()
    monkeypatch.setenv(f"ARGOCD_SERVER_{suffix}", replay.url)
    monkeypatch.setenv(f"ARGOCD_AUTH_TOKEN_{suffix}", TOKEN)
    monkeypatch.delenv("ARGOCD_SERVER", raising=False)
    monkeypatch.delenv("ARGOCD_AUTH_TOKEN", raising=False)


@pytest.fixture
def argocd_replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArgoCdReplay]:
    """dev's Argo CD for this checkout at HEAD; ARGOCD_SERVER_DEV and its token point at it."""
    root = repo_root()
    with serve_replay(root, "dev", resolve(root, "HEAD")) as replay:
        point_at(monkeypatch, replay)
        yield replay


@pytest.fixture
def serve_argocd(monkeypatch: pytest.MonkeyPatch):
    """`with serve_argocd(root, env, revision) as replay:` an env's recorded Argo CD, its variables pointing at it."""

    @contextmanager
    def serve(root: Path, env: str, revision: str) -> Iterator[ArgoCdReplay]:
        with serve_replay(root, env, revision) as replay:
            point_at(monkeypatch, replay)
            yield replay

    return serve
