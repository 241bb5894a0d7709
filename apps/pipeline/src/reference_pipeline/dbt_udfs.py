"""dbt-duckdb plugin: every dbt connection to DuckDB gets the shared normalisation functions.

Declared in dbt/profiles.yml (`plugins: [{module: reference_pipeline.dbt_udfs}]`); the silver models call
`dp_normalise(entity, field, value)`, `dp_normalise_error(entity, field, value)` and
`dp_postal(postal_code, attribute)`.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from reference_pipeline import udfs


def register_functions(con: Any) -> None:
    """Register the UDFs on a DuckDB connection (also used by the benchmark's plain-SQL baseline)."""
    from duckdb.sqltypes import VARCHAR

    # "special" null handling: the functions return NULL for values no rule can clean.
    options = {"null_handling": "special", "side_effects": False}
    con.create_function("dp_normalise", udfs.normalise_value, [VARCHAR, VARCHAR, VARCHAR], VARCHAR, **options)
    con.create_function("dp_normalise_error", udfs.normalise_error, [VARCHAR, VARCHAR, VARCHAR], VARCHAR, **options)
    con.create_function("dp_postal", udfs.postal_attribute, [VARCHAR, VARCHAR], VARCHAR, **options)


class Plugin(BasePlugin):
    """Loaded by dbt-duckdb for each connection it opens."""

    def configure_connection(self, conn: Any) -> None:
        register_functions(conn)
