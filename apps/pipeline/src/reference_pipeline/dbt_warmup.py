"""dbt-duckdb plugin: import the slow libraries of the dbt Python models while the SQL models run.

The Great Expectations suites run inside `dbt build` (models/audit/expectations_*.py), after the silver
tables. Importing great_expectations takes seconds of CPU; started in a background thread when dbt opens
the warehouse, it happens while the bronze and silver SQL runs in DuckDB (which releases the GIL), so the
Python model finds it imported instead of paying for it between silver and gold. A failed import here is
ignored: the model's own import raises it with its traceback.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

DEFAULT_MODULES = ("great_expectations",)


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # reported by the model that needs the module, with its traceback
            return


class Plugin(BasePlugin):
    """Profile: `plugins: [{module: reference_pipeline.dbt_warmup, config: {modules: [...]}}]`."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        modules = tuple(plugin_config.get("modules") or DEFAULT_MODULES)
        # Not a daemon: an interpreter exiting in the middle of an import can abort; dbt waits for it instead.
        threading.Thread(target=_import_all, args=(modules,), name="dbt-warmup-imports").start()
