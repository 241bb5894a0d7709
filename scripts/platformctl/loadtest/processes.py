"""Child processes the gate starts and must stop: each in its own session, stopped by its PID.

A process started with `start_new_session=True` leads a process group whose id is its PID, so stopping
that group by PID also stops its children (gunicorn's workers) and nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from platformctl.errors import PlatformError


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ManagedProcess:
    """A started command with its log file; `stop()` is idempotent and safe after the process died."""

    def __init__(self, name: str, argv: Sequence[str], log_file: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.log_file = log_file
        log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_file.open("wb")
        self.popen = subprocess.Popen(
            list(argv),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
        self.pid = self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])

    def stop(self, grace_seconds: float = 10.0) -> None:
        """SIGTERM the process group led by our PID, then SIGKILL it if it outlives the grace period."""
        if self.popen.returncode is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=5)
        self._log.close()

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signum)


def wait_until_ready(process: ManagedProcess, url: str, timeout_seconds: float) -> float:
    """Poll `url` until it answers 200; returns the seconds waited. Fails fast if the process exits."""
    started = time.monotonic()
    deadline = started + timeout_seconds
    last_error = "no answer"
    while time.monotonic() < deadline:
        if not process.running():
            raise PlatformError(
                f"{process.name} exited with code {process.popen.returncode} before it was ready: {process.log_tail()}",
                fix=f"read {process.log_file}",
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError) as error:
            last_error = str(error)
        time.sleep(0.1)
    raise PlatformError(
        f"{process.name} not ready at {url} after {timeout_seconds:.0f}s ({last_error})", fix=f"read {process.log_file}"
    )
