"""Benchmark of the data apps (issue 3, item 8). Prints figures and ratios; asserts nothing.

    .venv/tooling/bin/python bench/api.py [--rows 200000] [--seconds 8] [--connections 32]

Rows endpoint: requests/s and p50/p99 of 100-row pages at random keyset cursors, 32 keep-alive
connections, against (a) a bare WSGI app returning the same precomputed page bytes (the ceiling) and
(b) Datasette serving the same table from SQLite, all under gunicorn with the same settings (workers,
and threads where the worker class has them; Datasette is ASGI so it runs gunicorn's uvicorn worker).
Scenarios: uncached random pages (response cache off), repeated pages (server cache on, full 200
bodies), repeated pages with If-None-Match (304s, what a caching client sees).
Enrichment: records/s through HTTP on batches of 500 vs the same batch function in-process (its
ceiling), and the normalisation functions alone.

Load generator and servers share this machine's cores: figures are for this machine, one run.
Servers listen on 127.0.0.1 only and are stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pickle
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = REPO / "build" / "bench"
PAGE = 100
DATASET, TABLE, KEY = "policies", "policies", "policy_id"


# --------------------------------------------------------------------------- load generator
@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]
    load: str = ""  # load average when the scenario ended
    server_cpu_seconds: float = 0.0  # CPU time of the server's processes during the scenario

    @property
    def server_cpu_ms_per_request(self) -> float:
        """Server CPU per request: unlike requests/s, it hardly moves when other jobs share the cores."""
        return self.server_cpu_seconds * 1000 / self.requests if self.requests else float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = b""
    return status, headers, body


async def _connection(port: int, make_request, deadline: float, max_requests: int, result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline and result.requests < max_requests:
            raw, on_response = make_request()
            started = time.perf_counter()
            writer.write(raw)
            status, headers, body = await _read_response(reader)
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if on_response:
                on_response(status, headers, body)
    finally:
        writer.close()


def cpu_seconds(process: subprocess.Popen | None) -> float:
    """User + system CPU time of a server: its master process and every worker."""
    if process is None:
        return 0.0
    import psutil

    try:
        root = psutil.Process(process.pid)
        total = 0.0
        for each in (root, *root.children(recursive=True)):
            with contextlib.suppress(psutil.NoSuchProcess):
                times = each.cpu_times()
                total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def drive(
    port: int,
    make_request,
    seconds: float,
    connections: int,
    max_requests: int = 2_000_000,
    server_process: subprocess.Popen | None = None,
) -> Result:
    """`connections` keep-alive connections for `seconds` (bounded by time and count)."""
    result = Result(0, 0.0, [], {})
    cpu_before = cpu_seconds(server_process)

    async def run() -> None:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(_connection(port, make_request, deadline, max_requests, result)
                               for _ in range(connections)))  # fmt: skip
        result.seconds = time.perf_counter() - started

    asyncio.run(run())
    result.server_cpu_seconds = cpu_seconds(server_process) - cpu_before
    result.load = load_average()
    return result


def get(path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(name: str, args: list[str], env: dict[str, str], ready_path: str, port: int):
    log = (WORK / f"{name}.log").open("wb")
    process = subprocess.Popen(args, env={**os.environ, **env}, stdout=log, stderr=log, cwd=REPO,
                               start_new_session=True)  # fmt: skip
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2)
                break
            except Exception:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"{name} did not start; see {log.name}") from None
                time.sleep(0.3)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def gunicorn_env(port: int, workers: int, threads: int) -> dict[str, str]:
    return {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads),
            "PROMETHEUS_MULTIPROC_DIR": str(WORK / f"prom-{port}")}  # fmt: skip


# --------------------------------------------------------------------------- data
def prepare(rows: int) -> tuple[Path, Path]:
    from dataplatform_common.sample_gold import generate

    WORK.mkdir(parents=True, exist_ok=True)
    gold = WORK / f"gold-{rows}.duckdb"
    if not gold.exists():
        generate(gold, rows)
    sqlite_path = WORK / f"gold-{rows}.sqlite"
    if not sqlite_path.exists():
        import duckdb

        with duckdb.connect(str(gold), read_only=True) as con:
            cursor = con.execute(f"SELECT * FROM {TABLE} ORDER BY {KEY}")
            columns = [c[0] for c in cursor.description]
            data = [
                tuple(str(v) if not isinstance(v, int | float | str) else v for v in row) for row in cursor.fetchall()
            ]
        tmp = sqlite_path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        with sqlite3.connect(tmp) as lite:
            lite.execute(
                f"CREATE TABLE {TABLE} ({', '.join(c + (' TEXT PRIMARY KEY' if c == KEY else '') for c in columns)})"
            )
            lite.executemany(f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(columns))})", data)
        tmp.replace(sqlite_path)
    return gold, sqlite_path


def random_keys(gold: Path, count: int, seed: int) -> list[str]:
    import duckdb

    with duckdb.connect(str(gold), read_only=True) as con:
        keys = [row[0] for row in con.execute(f"SELECT {KEY} FROM {TABLE} ORDER BY {KEY}").fetchall()]
    rng = random.Random(seed)
    return [rng.choice(keys[:-PAGE]) for _ in range(count)]


def cursor_for(key: str) -> str:
    from exposition_api.catalog import load_catalog
    from exposition_api.query import encode_cursor, parse_order

    order = parse_order(load_catalog()[DATASET], None)
    return encode_cursor(order, {KEY: key})


# --------------------------------------------------------------------------- scenarios
def load_average() -> str:
    """The machine's 1/5/15-minute load average: other jobs share these cores, so every figure carries it."""
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def line(label: str, r: Result, ceiling: Result | None = None, extra: str = "") -> None:
    ratio = f"  {r.rps / ceiling.rps:5.2f} x ceiling" if ceiling else ""
    errors = sum(n for s, n in r.statuses.items() if s >= 400)
    print(f"  {label:<44} {r.rps:8.0f} req/s  p50 {r.pct(0.50):6.1f} ms  p99 {r.pct(0.99):6.1f} ms"
          f"  server CPU {r.server_cpu_ms_per_request:5.2f} ms/req{ratio}{extra}  (n={r.requests}, errors={errors}, "
          f"{r.load})")  # fmt: skip


def bench_rows(args: argparse.Namespace, gold: Path, sqlite_path: Path) -> None:
    from dataplatform_common.auth.dev import DevIssuer

    auth_dir = WORK / "dev-auth"
    token = DevIssuer(auth_dir).mint("exposition-api", ["Data.Read.Internal"], lifetime_seconds=3600)
    auth = {"Authorization": f"Bearer {token}"}
    keys = random_keys(gold, 1000, seed=7)
    hot = keys[:50]
    query = {k: f"limit={PAGE}&cursor={cursor_for(k)}" for k in keys}
    threads_option = f"?threads={args.duckdb_threads}" if args.duckdb_threads else ""
    base_env = {"AUTH_MODE": "dev", "DEV_AUTH_DIR": str(auth_dir), "WAREHOUSE_URL": f"duckdb://{gold}{threads_option}"}
    conf = str(REPO / "apps/exposition-api/gunicorn.conf.py")
    w, t = args.workers, args.threads
    print(f"\nRows endpoint: {DATASET} ({PAGE}-row pages), {args.connections} connections, {args.seconds:.0f} s each, "
          f"gunicorn {w} workers x {t} threads, DuckDB threads {args.duckdb_threads or 'default'}")  # fmt: skip

    def api_request(pool: list[str], conditional: dict[str, str] | None = None):
        def make():
            key = random.choice(pool)
            headers = dict(auth)
            if conditional is not None and key in conditional:
                headers["If-None-Match"] = conditional[key]
            on_response = None
            if conditional is not None:

                def on_response(status, response_headers, body, key=key):
                    if "etag" in response_headers:
                        conditional[key] = response_headers["etag"]

            return get(f"/v1/datasets/{DATASET}/rows?{query[key]}", headers), on_response

        return make  # fmt: skip

    # The real API: first with the response cache off (every page from DuckDB), then on.
    results: dict[str, Result] = {}
    pages: dict[str, bytes] = {}
    port = free_port()
    with server("exposition-uncached", [str(BIN / "gunicorn"), "-c", conf, "exposition_api.wsgi:app"],
                {**base_env, **gunicorn_env(port, w, t), "RESPONSE_CACHE_ENTRIES": "0"}, "/healthz",
                port) as api:  # fmt: skip
        for key in keys:  # the exact bytes the ceiling will serve
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/datasets/{DATASET}/rows?{query[key]}",
                                             headers=auth)  # fmt: skip
            pages[query[key]] = urllib.request.urlopen(request).read()
        results["api_uncached"] = drive(port, api_request(keys), args.seconds, args.connections, server_process=api)
    port = free_port()
    with server("exposition-cached", [str(BIN / "gunicorn"), "-c", conf, "exposition_api.wsgi:app"],
                {**base_env, **gunicorn_env(port, w, t)}, "/healthz", port) as api:  # fmt: skip
        drive(port, api_request(hot), 1.0, args.connections)  # warm every worker's cache
        results["api_repeated"] = drive(port, api_request(hot), args.seconds, args.connections, server_process=api)
        results["api_etag"] = drive(port, api_request(hot, conditional={}), args.seconds, args.connections,
                                    server_process=api)  # fmt: skip

    pages_file = WORK / "ceiling-pages.pickle"
    pages_file.write_bytes(pickle.dumps(pages))
    port = free_port()
    ceiling_args = [str(BIN / "gunicorn"), "-c", conf, "--pythonpath", str(REPO / "bench"), "ceiling_app:app"]
    ceiling_env = {**gunicorn_env(port, w, t), "CEILING_PAGES": str(pages_file)}
    with server("ceiling", ceiling_args, ceiling_env, "/?" + query[keys[0]], port) as ceiling:

        def ceiling_request(pool: list[str]):
            return lambda: (get(f"/v1/datasets/{DATASET}/rows?{query[random.choice(pool)]}"), None)

        results["ceiling_random"] = drive(port, ceiling_request(keys), args.seconds, args.connections,
                                          server_process=ceiling)  # fmt: skip
        results["ceiling_repeated"] = drive(port, ceiling_request(hot), args.seconds, args.connections,
                                            server_process=ceiling)  # fmt: skip

    port = free_port()
    datasette_args = [str(BIN / "gunicorn"), "-k", "uvicorn.workers.UvicornWorker", "-w", str(w),
                      "-b", f"127.0.0.1:{port}", "datasette_app:app"]  # fmt: skip
    # Immutable: Datasette's fastest read-only mode (no file locking, cached table counts), the same footing
    # as the exposition API's read-only DuckDB file.
    (WORK / "datasette_app.py").write_text(
        "from datasette.app import Datasette\n"
        f"app = Datasette([], immutables=[{str(sqlite_path)!r}], settings={{'max_returned_rows': 1000}}).app()\n"
    )
    with server("datasette", [*datasette_args, "--pythonpath", str(WORK)], {}, "/-/versions.json", port) as lite:
        db = sqlite_path.stem

        def datasette_request():
            key = random.choice(keys)
            return get(f"/{db}/{TABLE}.json?_size={PAGE}&_next={key}&_shape=objects"), None

        results["datasette"] = drive(port, datasette_request, args.seconds, args.connections, server_process=lite)

    ceiling_random, ceiling_repeated = results["ceiling_random"], results["ceiling_repeated"]
    line("ceiling: bare WSGI, same bytes (random)", ceiling_random)
    line("ceiling: bare WSGI, same bytes (repeated)", ceiling_repeated)
    line("exposition-api, uncached random pages", results["api_uncached"], ceiling_random)
    line("exposition-api, repeated pages (cache)", results["api_repeated"], ceiling_repeated)
    line("exposition-api, repeated + If-None-Match", results["api_etag"], ceiling_repeated,
         f"  ({results['api_etag'].statuses.get(304, 0)} x 304)")  # fmt: skip
    line("datasette (SQLite), random pages", results["datasette"])
    print(f"  ratios: uncached/ceiling {results['api_uncached'].rps / ceiling_random.rps:.2f} (target >= 0.17), "
          f"repeated/ceiling {results['api_repeated'].rps / ceiling_repeated.rps:.2f} (target >= 0.40), "
          f"uncached/datasette {results['api_uncached'].rps / results['datasette'].rps:.2f} (target >= 4), "
          f"p99 uncached {results['api_uncached'].pct(0.99):.1f} ms (target <= 50)")  # fmt: skip
    cpu = {name: r.server_cpu_ms_per_request for name, r in results.items()}
    print(f"  same ratios from server CPU per request (steadier when other jobs share the cores): uncached/ceiling "
          f"{cpu['ceiling_random'] / cpu['api_uncached']:.2f}, repeated/ceiling "
          f"{cpu['ceiling_repeated'] / cpu['api_repeated']:.2f}, uncached/datasette "
          f"{cpu['datasette'] / cpu['api_uncached']:.2f}")  # fmt: skip


def enrichment_batches(gold: Path, batches: int, size: int) -> list[list[dict[str, Any]]]:
    """Realistic messy customer records: formatting noise, ~5 % invalid, ~3 % in-batch duplicates."""
    import duckdb

    with duckdb.connect(str(gold), read_only=True) as con:
        customers = con.execute("SELECT first_name, last_name, email, phone, birth_date, postal_code FROM customers "
                                f"LIMIT {batches * size}").fetchall()  # fmt: skip
    rng = random.Random(11)
    records = []
    for first, last, email, phone, birth, postal in customers:
        national = "0" + phone[3:]
        record = {"first_name": f" {first.lower()} ", "last_name": last.title(), "email": email.upper(),
                  "phone": " ".join(national[i:i + 2] for i in range(0, 10, 2)),
                  "birth_date": birth.strftime("%d/%m/%Y"), "postal_code": postal}  # fmt: skip
        if rng.random() < 0.05:
            record["email"] = "not-an-email"
        if rng.random() < 0.03 and records:
            record = dict(records[-1])
        records.append(record)
    return [records[i : i + size] for i in range(0, len(records), size)]


def bench_enrichment(args: argparse.Namespace, gold: Path) -> None:
    from dataplatform_common.auth.dev import DevIssuer
    from dataplatform_common.normalise import normalise_email, normalise_phone
    from dataplatform_common.warehouse import DuckDBWarehouse
    from enrichment_api.enrich import enrich_batch
    from enrichment_api.reference import WarehouseReference

    batches = enrichment_batches(gold, 40, 500)
    bodies = [json.dumps({"records": batch}).encode() for batch in batches]
    n_records = sum(len(b) for b in batches)
    print(f"\nEnrichment: customer batches of 500 ({n_records} distinct records, cycled)")

    started = time.perf_counter()
    for batch in batches:
        for record in batch:
            try:
                normalise_phone(record["phone"])
                normalise_email(record["email"])
            except ValueError:
                pass
    phone_email = n_records / (time.perf_counter() - started)
    phone_email_load = load_average()

    reference = WarehouseReference(DuckDBWarehouse(gold))
    enrich_batch("customer", batches[0], reference)  # load the postal reference once, as the app does
    started = time.perf_counter()
    for batch in batches:
        enrich_batch("customer", batch, reference)
    in_process = n_records / (time.perf_counter() - started)
    in_process_load = load_average()

    auth_dir = WORK / "dev-auth"
    token = DevIssuer(auth_dir).mint("enrichment-api", ["Enrichment.Run"], lifetime_seconds=3600)
    headers = {"Authorization": f"Bearer {token}"}
    env = {"AUTH_MODE": "dev", "DEV_AUTH_DIR": str(auth_dir), "WAREHOUSE_URL": f"duckdb://{gold}"}
    conf = str(REPO / "apps/enrichment-api/gunicorn.conf.py")
    http: dict[str, Result] = {}
    for label, workers, connections in (("1 worker, 1 connection", 1, 1),
                                        (f"{args.workers} workers, {2 * args.workers} connections", args.workers,
                                         2 * args.workers)):  # fmt: skip
        port = free_port()
        with server("enrichment", [str(BIN / "gunicorn"), "-c", conf, "enrichment_api.wsgi:app"],
                    {**env, **gunicorn_env(port, workers, 1)}, "/healthz", port) as enrichment:  # fmt: skip

            def make(counter=iter(range(10**9))):  # noqa: B008 - one counter per server, shared by its connections
                return post("/v1/enrich/customer", bodies[next(counter) % len(bodies)], headers), None

            drive(port, make, 1.0, connections)  # warm-up: reference data loaded in every worker
            http[label] = drive(port, make, args.seconds, connections, server_process=enrichment)

    print(f"  phone + e-mail parsing alone, in-process      {phone_email:8.0f} records/s (1 core, {phone_email_load})")
    print(f"  enrich_batch in-process (ceiling)             {in_process:8.0f} records/s (1 core, {in_process_load})")
    for label, result in http.items():
        rate = result.rps * 500
        print(
            f"  HTTP, {label:<40}{rate:8.0f} records/s  p50 {result.pct(0.5):6.1f} ms  p99 {result.pct(0.99):6.1f} ms"
            f"  (batches={result.requests}, errors={sum(n for s, n in result.statuses.items() if s >= 400)}, "
            f"{result.load})"
        )
    single = http["1 worker, 1 connection"].rps * 500
    print(f"  ratios: HTTP (1 worker) / in-process {single / in_process:.2f} (target >= 0.5), "
          f"HTTP records/s per core {single:.0f} (target >= 10000)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="sample gold size")
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each measured scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (all servers)")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn threads per worker, all gthread servers (default: what the apps run with "
                             "on a DuckDB file, dataplatform_common.worker_threads)")  # fmt: skip
    parser.add_argument("--duckdb-threads", type=int, default=1,
                        help="DuckDB threads per query (0: DuckDB default, one per core); 1 suits many small "
                             "concurrent keyset queries (gunicorn threads x workers)")  # fmt: skip
    parser.add_argument("--only", choices=["rows", "enrichment"], help="run one part")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 60 or not 1 <= args.connections <= 256:
        parser.error("--seconds must be 1..60 and --connections 1..256 (bounded load)")
    if args.threads is None:
        from dataplatform_common.worker_threads import default_threads

        args.threads = default_threads(None)
    gold, sqlite_path = prepare(args.rows)
    print(f"bench/api.py on {os.cpu_count()} cores, gold {gold.name}, {load_average()} at start")
    if args.only in (None, "rows"):
        bench_rows(args, gold, sqlite_path)
    if args.only in (None, "enrichment"):
        bench_enrichment(args, gold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
