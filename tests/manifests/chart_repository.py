"""A Helm chart repository on 127.0.0.1 for the `charts pull` tests, built from the fixture charts.

The charts in `fixtures/charts/` are packaged with the pinned helm at test time (`helm package`), the
index written by `helm repo index` (relative URLs, as GitHub-pages chart repositories publish them),
and the folder served by `http.server` on an ephemeral port in a thread. No archive is committed.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from pathlib import Path
from typing import Any

from platformctl.tools import find_tool

FIXTURE_CHARTS = Path(__file__).parent / "fixtures" / "charts"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean (the server would log every request to stderr)."""


def helm(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [str(find_tool("helm")), *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"helm {' '.join(args)}: {result.stderr}"
    return result.stdout


class ChartRepository:
    """`url` serves `folder`: every fixture chart packaged, plus index.yaml. Use as a context manager."""

    def __init__(self, folder: Path, charts: tuple[str, ...] = ("demo",)) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for chart in charts:
            helm("package", str(FIXTURE_CHARTS / chart), "--destination", str(folder), cwd=folder)
        helm("repo", "index", str(folder), cwd=folder)
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="chart-repository", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def archive(self, name: str, version: str) -> Path:
        return self.folder / f"{name}-{version}.tgz"

    def __enter__(self) -> ChartRepository:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
