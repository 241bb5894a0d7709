"""A small, read-only client of the Argo CD API server (the endpoints `argocd app list|logs` use).

Server and token come from the same variables as the `argocd` CLI (ARGOCD_SERVER, ARGOCD_AUTH_TOKEN),
optionally per environment (ARGOCD_SERVER_STAGING, ...), so one CI job can read dev and staging. A
server that cannot be reached, refuses the token or answers something else than Argo CD's JSON is a
PlatformError naming the server and the fix; nothing here retries or waits.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from platformctl.errors import PlatformError

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class ArgoCdServer:
    url: str  # https://argocd.dev.data.example.com (a scheme-less host gets https://)
    token: str
    insecure: bool = False  # a port-forward to argocd-server answers with its self-signed certificate

    @classmethod
    def from_environment(cls, env: str, url: str | None = None, insecure: bool = False) -> ArgoCdServer:
        """The server of `env`: --server, else ARGOCD_SERVER_<ENV>, else ARGOCD_SERVER; token likewise."""
        suffix = env.upper().replace("-", "_")
        server = url or os.environ.get(f"ARGOCD_SERVER_{suffix}") or os.environ.get("ARGOCD_SERVER", "")
        token = os.environ.get(f"ARGOCD_AUTH_TOKEN_{suffix}") or os.environ.get("ARGOCD_AUTH_TOKEN", "")
        if not server:
            raise PlatformError(
                f"no Argo CD server for env {env}",
                fix=f"pass --server URL or set ARGOCD_SERVER_{suffix} (or ARGOCD_SERVER), e.g. after "
                "`kubectl -n argocd port-forward svc/argo-cd-argocd-server 8080:443`: "
                "--server https://127.0.0.1:8080 --insecure",
            )
        if not token:
            raise PlatformError(
                f"no Argo CD token for env {env}",
                fix=f"set ARGOCD_AUTH_TOKEN_{suffix} (or ARGOCD_AUTH_TOKEN): `argocd account generate-token` "
                "for a read-only account",
            )
        if "://" not in server:
            server = f"https://{server}"
        return cls(server.rstrip("/"), token, insecure)


class ArgoCdApi:
    def __init__(self, server: ArgoCdServer) -> None:
        self.server = server
        self._context = ssl.create_default_context()
        if server.insecure:
            self._context.check_hostname = False
            self._context.verify_mode = ssl.CERT_NONE

    def applications(self) -> list[dict[str, Any]]:
        """Every Application the token may read, as `GET /api/v1/applications` returns them."""
        document = json.loads(self._get("/api/v1/applications") or "{}")
        items = document.get("items") if isinstance(document, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def resource_logs(self, application: str, namespace: str, kind: str, name: str, container: str) -> list[str]:
        """The last lines logged by the pods of one resource of `application` (e.g. its hook Job)."""
        query = urllib.parse.urlencode(
            {"namespace": namespace, "kind": kind, "group": "batch" if kind == "Job" else "",
             "resourceName": name, "container": container, "tailLines": 200, "follow": "false"}
        )  # fmt: skip
        body = self._get(f"/api/v1/applications/{urllib.parse.quote(application)}/logs?{query}")
        lines = []
        for raw in body.splitlines():  # one JSON object per line: {"result": {"content": ...}}
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                continue
            content = (entry.get("result") or {}).get("content") if isinstance(entry, dict) else None
            if isinstance(content, str):
                lines.append(content)
        return lines

    def _get(self, path: str) -> str:
        url = self.server.url + path
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.server.token}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=self._context) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            fix = (
                "the token is missing, expired or not allowed to read Applications: generate a new one"
                if error.code in (401, 403)
                else "check the server URL"
            )
            raise PlatformError(f"Argo CD {self.server.url} answered {error.code} to GET {path}", fix=fix) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PlatformError(
                f"Argo CD {self.server.url} is unreachable ({reason})",
                fix="check ARGOCD_SERVER_<ENV>, the VPN/private network or the port-forward",
            ) from error
