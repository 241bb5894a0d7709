"""dbt-duckdb plugin: every dbt connection to DuckDB gets the shared normalisation functions.

Declared in dbt/profiles.yml (`plugins: [{module: reference_pipeline.dbt_udfs}]`); the silver models call
`dp_normalise(entity, field, value)`, `dp_normalise_error(entity, field, value)` and
`dp_postal(postal_code, attribute)`.

The functions are vectorised (DuckDB Arrow UDFs): DuckDB hands over a chunk of up to 2,048 rows, the
rule runs once per *distinct* (entity, field, value) of the chunk, and the results are spread back onto
the rows with Arrow kernels. Repeated values (names, statuses, postal codes, drifted formats) are
therefore normalised once per chunk instead of once per row; the rules themselves stay the shared
Python code of `reference_pipeline.udfs` (what Snowflake runs too), so the semantics cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dbt.adapters.duckdb.plugins import BasePlugin

from reference_pipeline import udfs


def _constant(column: pa.Array) -> object:
    """The single non-null value of `column`, or `_VARYING` when it holds several values or NULLs."""
    if column.null_count or pc.count_distinct(column).as_py() != 1:
        return _VARYING
    return column[0].as_py()


_VARYING = object()


def _by_distinct(function: Callable[..., str | None], value: pa.Array, *arguments: pa.Array) -> pa.Array:
    """`function(value, *arguments)` for every row, evaluated once per distinct row of the chunk.

    The usual call has constant arguments (`dp_normalise('customer', 'email', email)`): the values are
    dictionary-encoded, the rule runs on the dictionary and `take` spreads the results (NULL stays NULL,
    as every rule maps NULL to NULL). Otherwise a per-chunk memo keyed by the whole row does the same.
    """
    value = value.combine_chunks() if isinstance(value, pa.ChunkedArray) else value
    arguments = tuple(a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arguments)
    constants = [_constant(argument) for argument in arguments]
    if all(constant is not _VARYING for constant in constants):
        encoded = pc.dictionary_encode(value)
        distinct = encoded.dictionary.to_pylist()
        results = pa.array([function(item, *constants) for item in distinct], type=pa.string())
        return pc.take(results, encoded.indices)
    memo: dict[tuple[object, ...], str | None] = {}
    out: list[str | None] = []
    for row in zip(value.to_pylist(), *(argument.to_pylist() for argument in arguments), strict=True):
        if row not in memo:
            memo[row] = function(*row)
        out.append(memo[row])
    return pa.array(out, type=pa.string())


def normalise_arrow(entity: pa.Array, field: pa.Array, value: pa.Array) -> pa.Array:
    return _by_distinct(lambda v, e, f: udfs.normalise_value(e, f, v), value, entity, field)


def normalise_error_arrow(entity: pa.Array, field: pa.Array, value: pa.Array) -> pa.Array:
    return _by_distinct(lambda v, e, f: udfs.normalise_error(e, f, v), value, entity, field)


def postal_arrow(postal_code: pa.Array, attribute: pa.Array) -> pa.Array:
    return _by_distinct(udfs.postal_attribute, postal_code, attribute)


def register_functions(con: Any) -> None:
    """Register the UDFs on a DuckDB connection (also used by the benchmark's plain-SQL baseline)."""
    from duckdb.sqltypes import VARCHAR

    # "special" null handling: the functions see NULLs and return NULL for values no rule can clean.
    options = {"type": "arrow", "null_handling": "special", "side_effects": False}
    con.create_function("dp_normalise", normalise_arrow, [VARCHAR, VARCHAR, VARCHAR], VARCHAR, **options)
    con.create_function("dp_normalise_error", normalise_error_arrow, [VARCHAR, VARCHAR, VARCHAR], VARCHAR, **options)
    con.create_function("dp_postal", postal_arrow, [VARCHAR, VARCHAR], VARCHAR, **options)


class Plugin(BasePlugin):
    """Loaded by dbt-duckdb for each connection it opens."""

    def configure_connection(self, conn: Any) -> None:
        register_functions(conn)
