"""The tables each step reads and writes (`job_lineage.step_tables`), on the code location's real asset graph.

The end-to-end proof, the URNs the Dagster DataHub plugin sends for a run, is in test_datahub_gms.py; here, without a
run, what the cloud depends on: raw tables no step of the run materialises (Snowpipe fills them) are still dbt's
inputs, and every table asset of the dbt step has a dataset name (else its lineage would silently be dropped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import dagster as dg
from reference_pipeline.job_lineage import step_tables

# The code location's modules are imported in the tests, not at collection: `reference_pipeline.definitions` builds
# its resources from the environment when first imported (other modules' fixtures set it first).


def _tables() -> dict[dg.AssetKey, str]:
    from reference_pipeline.assets.datahub import asset_tables
    from reference_pipeline.assets.dbt import read_manifest

    return asset_tables(read_manifest())


def _parents() -> Callable[[dg.AssetKey], Iterable[dg.AssetKey]]:
    from reference_pipeline.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    return lambda key: graph.get(key).parent_keys


def test_dbt_reads_the_raw_tables_no_step_of_the_run_wrote() -> None:
    from reference_pipeline.assets.dbt import dbt_build
    from reference_pipeline.assets.raw import RAW_ENTITIES

    tables = _tables()
    models = {key for key in dbt_build.keys if key.path[0] != "raw"}
    assert models <= set(tables), f"dbt assets without a dataset name: {sorted(models - set(tables))}"
    steps = step_tables(
        {"dbt_build": models, "datahub__metadata": {dg.AssetKey(["datahub", "metadata"])}},
        _parents(),
        tables,
    )
    assert set(steps) == {"dbt_build"}  # the metadata asset is no table
    read, written = steps["dbt_build"]
    assert read == {f"raw.{entity}" for entity in (*RAW_ENTITIES, "postal_codes")}
    assert written == {tables[key] for key in models} and {"silver.customers", "gold.customers"} <= written


def test_a_step_reads_only_what_it_did_not_write() -> None:
    tables = _tables()
    gold = dg.AssetKey(["gold", "customers"])
    silver = dg.AssetKey(["silver", "customers"])
    parents = _parents()
    (read, written), *_ = step_tables({"gold": {gold}}, parents, tables).values()
    assert written == {"gold.customers"} and "silver.customers" in read
    (read, written), *_ = step_tables({"both": {gold, silver}}, parents, tables).values()
    assert written == {"gold.customers", "silver.customers"} and "silver.customers" not in read
