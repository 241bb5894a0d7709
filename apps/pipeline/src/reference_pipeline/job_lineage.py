"""The tables each step of a run read and wrote, as inlets and outlets of the Dagster DataHub plugin's DataJobs.

The plugin (acryl-datahub-dagster-plugin) names a materialised asset either on its own `dagster` platform or from
an `<env>/<platform>/<database>/...` asset key; our keys are `<schema>/<table>`, so neither gives the URNs the
metadata asset writes (`lineage.dataset_urn`, as DataHub's Snowflake and dbt ingestion name them), and the plugin
finds no inputs at all except from SQL in the metadata. Its `asset_lineage_extractor` hook returns, per step, the
datasets its DataJob and the run's DataProcessInstance list: `extract` gives them from the run's materialisations
and the asset graph, named by `lineage.dataset_urn`, so in DataHub the jobs link to the datasets the pipeline
describes. The plugin also adds, as inputs of a step, the outputs of the steps it depends on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from datahub.ingestion.graph.client import DataHubGraph
    from datahub_dagster_plugin.client.dagster_generator import DagsterGenerator, DatasetLineage


def step_tables(
    materialised: Mapping[str, Iterable[dg.AssetKey]],
    parents: Callable[[dg.AssetKey], Iterable[dg.AssetKey]],
    tables: Mapping[dg.AssetKey, str],
) -> dict[str, tuple[set[str], set[str]]]:
    """Per step that materialised a table: (tables read, tables written).

    Written: the tables the step materialised. Read: the tables upstream of those in the asset graph that the step
    did not write itself (in the cloud, the raw tables Snowpipe fills are read by dbt and materialised by no step).
    """
    found: dict[str, tuple[set[str], set[str]]] = {}
    for step, keys in materialised.items():
        own = {key for key in keys if key in tables}
        if not own:
            continue
        upstream = {parent for key in own for parent in parents(key) if parent in tables} - own
        found[step] = ({tables[key] for key in upstream}, {tables[key] for key in own})
    return found


def run_materialisations(instance: dg.DagsterInstance, run_id: str) -> dict[str, set[dg.AssetKey]]:
    """The asset keys each step of the run materialised."""
    by_step: dict[str, set[dg.AssetKey]] = defaultdict(set)
    for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        if entry.step_key and entry.asset_materialization:
            by_step[entry.step_key].add(entry.asset_materialization.asset_key)
    return dict(by_step)


def extract(
    context: dg.RunStatusSensorContext, generator: DagsterGenerator, graph: DataHubGraph
) -> dict[str, DatasetLineage]:
    """The plugin's `asset_lineage_extractor`: each step's tables as the metadata asset's dataset URNs."""
    from datahub.utilities.urns.dataset_urn import DatasetUrn
    from datahub_dagster_plugin.client.dagster_generator import DatasetLineage

    from reference_pipeline import lineage
    from reference_pipeline.assets.datahub import asset_tables, namespace
    from reference_pipeline.assets.dbt import read_manifest

    if context.repository_def is None:  # the daemon always passes the code location's definitions
        raise ValueError("datahub_jobs needs the code location's asset graph (no repository_def in the context)")
    asset_graph = context.repository_def.asset_graph
    steps = step_tables(
        run_materialisations(context.instance, context.dagster_run.run_id),
        lambda key: asset_graph.get(key).parent_keys if asset_graph.has(key) else (),
        asset_tables(read_manifest()),
    )
    where = namespace()

    def urns(tables: set[str]) -> set[DatasetUrn]:
        return {DatasetUrn.from_string(lineage.dataset_urn(where, table)) for table in sorted(tables)}

    return {step: DatasetLineage(inputs=urns(read), outputs=urns(written)) for step, (read, written) in steps.items()}
