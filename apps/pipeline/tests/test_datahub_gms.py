"""DataHub emission as in the cluster, against a recording DataHub GMS on 127.0.0.1 (no mock of acryl-datahub).

`RecordingGMS` answers what acryl-datahub 1.7's REST emitter calls: `GET /config` as the GMS the platform deploys
(chart datahub 1.1.0, app v1.7.0; the emitter and the plugin then ingest through Rest.li), the Rest.li ingestion
endpoints `/aspects?action=ingestProposal[Batch]` (recorded with the request's Authorization header), 404 for
aspect reads (with telemetry on, the plugin reads the telemetry client id); a write anywhere else (e.g. OpenAPI
v3, should a new emitter choose it) is recorded as unanswered and fails the test. With DATAHUB_GMS_URL,
DATAHUB_GMS_TOKEN, DATAHUB_ENV and DATAHUB_PLATFORM_INSTANCE set as platform/dagster sets them:

- a real pipeline run sends the datasets (metadata asset) with the token, the env's fabric, the platform
  instance, warehouse field types, owners, the pii tag, domains and glossary terms;
- the Dagster DataHub plugin's sensor `datahub_jobs`, ticked as the daemon ticks it (cursor carried between
  ticks), sends the job as a DataFlow, each step as a DataJob and the run as DataProcessInstances; the DataJob
  of each step that materialised tables writes exactly those datasets and reads their upstream tables, by the
  very URNs the metadata asset sent (a naming that diverges fails here);
- after a failed run, `datahub_run_failures` sends the check results, the failed one included.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

GMS_VERSION = "v1.7.0"  # appVersion of the datahub chart 1.1.0 (clusters/charts.lock.yaml)
FABRIC, INSTANCE = "STG", "westeurope"
TOKEN = secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Proposal:
    """One aspect a client sent."""

    urn: str
    entity_type: str
    aspect_name: str
    aspect: dict[str, Any]
    authorization: str | None


@dataclass
class Recording:
    proposals: list[Proposal] = field(default_factory=list)
    reads: list[str] = field(default_factory=list)  # GETs of aspects (answered 404: not in this GMS)
    unanswered: list[str] = field(default_factory=list)  # writes to an endpoint the recorder does not know
    lock: threading.Lock = field(default_factory=threading.Lock)

    def since(self, mark: int) -> list[Proposal]:
        with self.lock:
            return self.proposals[mark:]

    def __len__(self) -> int:
        with self.lock:
            return len(self.proposals)


def _restli(proposal: dict[str, Any], authorization: str | None) -> Proposal:
    return Proposal(
        urn=proposal["entityUrn"],
        entity_type=proposal["entityType"],
        aspect_name=proposal["aspectName"],
        aspect=json.loads(proposal["aspect"]["value"]),
        authorization=authorization,
    )


class _Handler(BaseHTTPRequestHandler):
    server: RecordingGMS

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        return None

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/config":
            self._reply(200, {"noCode": "true", "versions": {"acryldata/datahub": {"version": self.server.version}}})
            return
        self.server.recording.reads.append(self.path)
        self._reply(404, {"message": f"{self.path} not found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
        url = urlsplit(self.path)
        auth = self.headers.get("Authorization")
        action = parse_qs(url.query).get("action", [""])[0]
        if url.path == "/aspects" and action == "ingestProposal":
            found = [_restli(body["proposal"], auth)]
        elif url.path == "/aspects" and action == "ingestProposalBatch":
            found = [_restli(p, auth) for p in body["proposals"]]
        else:
            self.server.recording.unanswered.append(f"POST {self.path}")
            self._reply(404, {"message": f"{self.path} not served by the recorder"})
            return
        with self.server.recording.lock:
            self.server.recording.proposals += found
        self._reply(200, {"value": found[0].urn if found else ""})


class RecordingGMS(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, version: str = GMS_VERSION) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.version = version
        self.recording = Recording()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def gms() -> Iterator[RecordingGMS]:
    server = RecordingGMS()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def cluster_env(gms: RecordingGMS) -> Iterator[None]:
    """What platform/dagster gives the code location in staging (token from the ExternalSecret)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATAHUB_GMS_URL", gms.url)
        patch.setenv("DATAHUB_GMS_TOKEN", TOKEN)
        patch.setenv("DATAHUB_ENV", FABRIC)
        patch.setenv("DATAHUB_PLATFORM_INSTANCE", INSTANCE)
        yield


@dataclass
class ClusterRun:
    success: bool
    run: dg.DagsterRun
    events: list[dg.DagsterEvent]
    metadata: list[Proposal]  # what the run sent (the metadata asset)
    jobs: list[Proposal]  # what the datahub_jobs sensor sent on the tick after the run
    cursor: str | None  # the sensor's cursor after that tick (the daemon persists it)


def tick_datahub_jobs(instance: dg.DagsterInstance, cursor: str | None) -> str | None:
    """One daemon tick of the plugin's sensor: evaluated on the code location's definitions, cursor persisted."""
    from reference_pipeline.definitions import build_definitions

    defs = build_definitions()
    sensor = defs.resolve_sensor_def("datahub_jobs")
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs, sensor_name=sensor.name)
    return sensor.evaluate_tick(context).cursor


def run_and_tick(instance: dg.DagsterInstance, gms: RecordingGMS, cursor: str | None) -> ClusterRun:
    """A run as the daemon launches one (the job reconstructed from the code location's module, so the run's code
    origin names `reference_pipeline.definitions`), then the next tick of `datahub_jobs`."""
    from dagster._core.definitions.reconstruct import ReconstructableRepository
    from reference_pipeline.sensors import JOB_NAME

    job = ReconstructableRepository.for_module("reference_pipeline.definitions", "defs").get_reconstructable_job(
        JOB_NAME
    )
    before = len(gms.recording)
    with dg.execute_job(job, instance=instance) as result:
        success, run, events = result.success, result.dagster_run, list(result.all_events)
    metadata = gms.recording.since(before)
    before = len(gms.recording)
    cursor = tick_datahub_jobs(instance, cursor)
    return ClusterRun(success, run, events, metadata, gms.recording.since(before), cursor)


@pytest.fixture(scope="module")
def cluster_run(workspace, gms: RecordingGMS, cluster_env: None) -> ClusterRun:
    cursor = tick_datahub_jobs(workspace.instance, None)  # the sensor is running before the first run (deployed)
    workspace.generate(range(1, 2))
    run = run_and_tick(workspace.instance, gms, cursor)
    assert run.success, [e.message for e in run.events if e.is_failure]
    return run


def _dataset(table: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:duckdb,{INSTANCE}.warehouse.{table},{FABRIC})"


def _aspects(proposals: list[Proposal]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p.urn, p.aspect_name): p.aspect for p in proposals}


def test_a_run_sends_the_datasets_to_gms_with_the_token(cluster_run: ClusterRun, gms: RecordingGMS) -> None:
    sent = cluster_run.metadata
    assert sent, "the metadata asset sent nothing to GMS"
    assert {p.authorization for p in sent} == {f"Bearer {TOKEN}"}
    assert not gms.recording.unanswered
    aspects = _aspects(sent)
    customers = _dataset("gold.customers")
    datasets = {p.urn for p in sent if p.entity_type == "dataset"}
    assert {_dataset(f"gold.{t}") for t in ("customers", "policies", "claims", "premiums_monthly")} <= datasets
    assert all(urn.endswith(f",{FABRIC})") and f",{INSTANCE}.warehouse." in urn for urn in datasets)

    fields = {f["fieldPath"]: f for f in aspects[(customers, "schemaMetadata")]["fields"]}
    assert fields["customer_id"]["nativeDataType"] == "VARCHAR"  # the warehouse's types
    assert "NumberType" in str(fields["policies_count"]["type"]) and "DateType" in str(fields["birth_date"]["type"])
    assert fields["email"]["globalTags"]["tags"] == [{"tag": "urn:li:tag:pii"}]
    assert fields["customer_id"]["glossaryTerms"]["terms"] == [{"urn": "urn:li:glossaryTerm:Customer"}]
    (owner,) = aspects[(customers, "ownership")]["owners"]
    assert owner == {
        "owner": "urn:li:corpGroup:crm-data-team",
        "type": "TECHNICAL_OWNER",
        "typeUrn": "urn:li:ownershipType:__system__technical_owner",
    }
    assert aspects[(customers, "domains")]["domains"] == ["urn:li:domain:customers"]
    assert aspects[("urn:li:domain:customers", "domainProperties")]["name"] == "customers"
    assert ("urn:li:glossaryTerm:Customer", "glossaryTermInfo") in aspects
    runs = [p.aspect for p in sent if p.aspect_name == "assertionRunEvent"]
    assert customers in {r["asserteeUrn"] for r in runs}
    assert all(r["result"]["type"] == "SUCCESS" for r in runs)
    reference = aspects[(_dataset("raw.postal_codes"), "datasetProperties")]
    assert len(reference["customProperties"]["dvc_md5"]) == 32
    (materialised,) = [
        e.materialization for e in cluster_run.events if e.is_step_materialization and e.step_key == "datahub__metadata"
    ]
    assert materialised.metadata["destination"].value == gms.url


def _flow_urn() -> str:
    """DataFlow `reference_pipeline` of the code location module, in the env's fabric and platform instance."""
    return f"urn:li:dataFlow:(dagster,{INSTANCE}.reference_pipeline.definitions/reference_pipeline,{FABRIC})"


def _job_urn(step: str) -> str:
    """DataJob of a step (the plugin names it after the code location module and the op)."""
    return f"urn:li:dataJob:({_flow_urn()},reference_pipeline.definitions/{step})"


def _datasets(sent: list[Proposal]) -> set[str]:
    return {p.urn for p in sent if p.entity_type == "dataset"}


def _tables_written(events: list[dg.DagsterEvent], datasets: set[str]) -> dict[str, set[str]]:
    """Step -> dataset URNs of the tables it materialised (the assets the metadata asset sent as datasets)."""
    written: dict[str, set[str]] = {}
    for event in events:
        if event.is_step_materialization and event.step_key:
            urn = _dataset(".".join(event.asset_key.path))
            if urn in datasets:
                written.setdefault(event.step_key, set()).add(urn)
    return written


def _job_io(sent: list[Proposal]) -> dict[str, tuple[set[str], set[str]]]:
    """DataJob urn -> (input datasets, output datasets) as the plugin sent them."""
    return {
        p.urn: (set(p.aspect["inputDatasets"]), set(p.aspect["outputDatasets"]))
        for p in sent
        if p.aspect_name == "dataJobInputOutput"
    }


def _run_results(sent: list[Proposal], run_id: str) -> dict[str, str]:
    """DataProcessInstance urn -> result type, for the run's job and step instances the plugin ended."""
    ends = [p for p in sent if p.aspect_name == "dataProcessInstanceRunEvent" and p.aspect["status"] == "COMPLETE"]
    keys = {p.urn: p.aspect for p in sent if p.aspect_name == "dataProcessInstanceProperties"}
    assert all(run_id in keys[p.urn]["name"] for p in ends)
    return {p.urn: p.aspect["result"]["type"] for p in ends}


def test_the_dagster_plugin_sends_the_job_its_steps_and_the_run(cluster_run: ClusterRun, gms: RecordingGMS) -> None:
    sent = cluster_run.jobs
    assert sent, "datahub_jobs sent nothing after a finished run (see the sensor's log above)"
    assert {p.authorization for p in sent} == {f"Bearer {TOKEN}"}
    assert not gms.recording.unanswered
    assert gms.recording.reads == []  # DATAHUB_TELEMETRY_ENABLED=false (as deployed): no telemetry client id read
    by_type: dict[str, set[str]] = {}
    for p in sent:
        by_type.setdefault(p.entity_type, set()).add(p.urn)
    assert set(by_type) == {"dataFlow", "dataJob", "dataProcessInstance", "dataset"}
    # Of a dataset, the plugin sends only the key (of its jobs' inlets and outlets): the metadata asset describes it.
    assert {p.aspect_name for p in sent if p.entity_type == "dataset"} == {"datasetKey"}
    assert by_type["dataset"] <= _datasets(cluster_run.metadata)
    assert by_type["dataFlow"] == {_flow_urn()}
    steps = {e.step_key for e in cluster_run.events if e.is_step_success}
    assert {"raw_drops", "dbt_build", "datahub__metadata"} <= steps
    assert by_type["dataJob"] == {_job_urn(step) for step in steps}
    results = _run_results(sent, cluster_run.run.run_id)
    assert len(results) == 1 + len(steps) and set(results.values()) == {"SUCCESS"}  # the run and each step


def test_the_plugin_jobs_read_and_write_the_datasets_the_pipeline_describes(cluster_run: ClusterRun) -> None:
    from reference_pipeline.assets.raw import RAW_ENTITIES

    datasets = _datasets(cluster_run.metadata)
    jobs = _job_io(cluster_run.jobs)
    written = _tables_written(cluster_run.events, datasets)
    assert {"raw_drops", "raw__postal_codes", "dbt_build"} <= set(written)
    for step, tables in written.items():
        assert jobs[_job_urn(step)][1] == tables, f"{step} writes other datasets than the metadata asset names"
    raw = {_dataset(f"raw.{entity}") for entity in (*RAW_ENTITIES, "postal_codes")}
    assert written["raw_drops"] | written["raw__postal_codes"] == raw
    assert jobs[_job_urn("raw_drops")][0] == set() and jobs[_job_urn("raw__postal_codes")][0] == set()
    assert jobs[_job_urn("dbt_build")][0] == raw  # dbt reads the raw tables, builds silver, gold and the checks
    assert {_dataset("silver.customers"), _dataset("gold.customers")} <= written["dbt_build"]
    for urn, (inputs, outputs) in jobs.items():  # steps without tables too (inputs: their upstream steps' outputs)
        assert inputs | outputs <= datasets, urn
    # The run's instance of each step (DataProcessInstance) lists what that step wrote in this run.
    parents = {
        p.urn: p.aspect["parentTemplate"]
        for p in cluster_run.jobs
        if p.aspect_name == "dataProcessInstanceRelationships"
    }
    outputs = {
        parents[p.urn]: set(p.aspect["outputs"])
        for p in cluster_run.jobs
        if p.aspect_name == "dataProcessInstanceOutput"
    }
    assert outputs[_job_urn("dbt_build")] == written["dbt_build"]


def test_a_failed_run_sends_its_check_results(cluster_run: ClusterRun, workspace, gms: RecordingGMS) -> None:
    from reference_pipeline.assets.datahub import datahub_run_failures

    landing = workspace.settings.landing_dir
    good = pq.read_table(landing / "policies" / "drop_0001.parquet").to_pylist()
    bad = [{**row, "policy_id": f"POL-9{index:06d}", "annual_premium": 250_000.0} for index, row in enumerate(good[:3])]
    pq.write_table(pa.Table.from_pylist(bad), landing / "policies" / "drop_0002.parquet")
    failed = run_and_tick(workspace.instance, gms, cluster_run.cursor)
    assert not failed.success
    assert failed.metadata == []  # the metadata asset is skipped: gold failed its checks
    results = _run_results(failed.jobs, failed.run.run_id)  # the plugin reports the failed run too
    assert "FAILURE" in results.values()
    # Whatever job lineage a failed run sends names the pipeline's datasets. (acryl-datahub-dagster-plugin
    # 1.7.0.17 stops at the first step the run never started, KeyError on its step stats: the steps' DataJobs
    # keep the lineage of the last successful run.)
    for urn, (inputs, outputs) in _job_io(failed.jobs).items():
        assert inputs | outputs <= _datasets(cluster_run.metadata), urn

    before = len(gms.recording)
    failure = next(e for e in failed.events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="datahub_run_failures",
        dagster_instance=workspace.instance,
        dagster_run=failed.run,
        dagster_event=failure,
    ).for_run_failure()
    datahub_run_failures(context)  # what the daemon does when the run fails
    sent = gms.recording.since(before)
    assert sent and {p.authorization for p in sent} == {f"Bearer {TOKEN}"}
    runs = {(p.aspect["asserteeUrn"], p.aspect["result"]["type"]) for p in sent if p.aspect_name == "assertionRunEvent"}
    assert (_dataset("silver.policies"), "FAILURE") in runs
    assert {urn for urn, _ in runs} <= {p.urn for p in cluster_run.metadata if p.entity_type == "dataset"}
