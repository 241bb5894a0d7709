"""What every locustfile of the repository shares: the bearer token and the request-count bound.

The gate passes `LOADTEST_TOKEN` (a dev JWT locally, a real token remotely) and `LOADTEST_MAX_REQUESTS`;
`bound_request_count(events)` makes locust quit by itself once that many requests were sent, so a run
is bounded in count as well as in time (`--run-time`).
"""

from __future__ import annotations

import os
from typing import Any

TOKEN_ENV_VAR = "LOADTEST_TOKEN"
MAX_REQUESTS_ENV_VAR = "LOADTEST_MAX_REQUESTS"


def auth_headers() -> dict[str, str]:
    token = os.environ.get(TOKEN_ENV_VAR, "")
    if not token:
        raise RuntimeError(f"set {TOKEN_ENV_VAR} to a bearer token (platformctl loadtest does it for you)")
    return {"Authorization": f"Bearer {token}"}


def bound_request_count(events: Any) -> None:
    """Quit the runner after $LOADTEST_MAX_REQUESTS requests (default 100000)."""
    limit = int(os.environ.get(MAX_REQUESTS_ENV_VAR, "100000"))
    sent = 0

    @events.init.add_listener
    def _on_init(environment: Any, **_kwargs: Any) -> None:
        @environment.events.request.add_listener
        def _count(**_request: Any) -> None:
            nonlocal sent
            sent += 1
            if sent == limit and environment.runner is not None:
                environment.runner.quit()
