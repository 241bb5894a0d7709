"""Benchmark of the data apps (issues 3 and 15). Prints figures and ratios; asserts nothing.

    .venv/tooling/bin/python bench/api.py [--rows 200000] [--seconds 10] [--connections 32]
                                          [--export-rows 10000000] [--only rows|export|enrichment]

Load comes from wrk (C, Debian package, installed by `make tools`; bench/wrk_requests.lua picks a random
request of a file per request), 1 thread, so it takes as little of the shared cores as possible; server CPU
per request is measured with psutil (master + workers).
Rows endpoint: requests/s, p50/p99 of 100-row pages at random keyset cursors, 32 keep-alive connections,
against (a) a bare WSGI app returning the same page bytes (the ceiling) and (b) Datasette serving the same
table from SQLite, all under gunicorn with the same settings. Scenarios: the warehouse path (serving format
off, today's code before issue 15: one DuckDB query per page) and the serving format, both with the response
cache off; repeated pages (cache on); repeated pages with If-None-Match (304s).
Export: a 10M-row `policies` table generated into a temporary DuckDB file, exported through the API (CSV,
Arrow IPC, Parquet): rows/s and peak RSS of the server, against DuckDB's own `COPY ... TO` the same format
from the same file (Arrow: DuckDB's Arrow reader into pyarrow's IPC writer; core DuckDB has no Arrow COPY).
Enrichment: records/s through HTTP on batches of 500 vs the same batch function in-process (its ceiling).

Load generator and servers share this machine's cores (and other sessions' jobs): every figure carries the
load average, and ratios are measured in the same run. Servers listen on 127.0.0.1 only and are stopped at
the end, whatever happens.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = REPO / "build" / "bench"
WRK_SCRIPT = REPO / "bench" / "wrk_requests.lua"
PAGE = 100
DATASET, TABLE, KEY = "policies", "policies", "policy_id"
EXPORT_ROWS = 10_000_000


# --------------------------------------------------------------------------- load generator (wrk)
@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses and socket errors
    load: str = ""  # load average when the scenario ended
    server_cpu_seconds: float = 0.0  # CPU time of the server's processes during the scenario
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def server_cpu_ms_per_request(self) -> float:
        """Server CPU per request: unlike requests/s, it hardly moves when other jobs share the cores."""
        return self.server_cpu_seconds * 1000 / self.requests if self.requests else float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


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


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def drive(port: int, requests: list[str], seconds: float, connections: int, headers: dict[str, str] | None = None,
          server_process: subprocess.Popen | None = None) -> Result:  # fmt: skip
    """wrk, 1 thread, `connections` keep-alive connections for `seconds`, random lines of `requests`."""
    requests_file = WORK / f"wrk-requests-{port}.tsv"
    requests_file.write_text("\n".join(requests) + "\n")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s",
               *(arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")),
               "-s", str(WRK_SCRIPT), f"http://127.0.0.1:{port}", "--", str(requests_file)]  # fmt: skip
    cpu_before = cpu_seconds(server_process)
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    cpu = cpu_seconds(server_process) - cpu_before
    requests_line = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", output)
    if requests_line is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors
                                                          else 0)  # fmt: skip
    return Result(int(requests_line.group(1)), _ms(requests_line.group(2) + requests_line.group(3)) / 1000,
                  _ms(latency["50"]), _ms(latency["99"]), errors, load_average(), cpu)  # fmt: skip


def get_line(path: str, etag: str | None = None) -> str:
    return f"GET\t{path}" + (f"\t{etag}" if etag else "")


def post_line(path: str, body: bytes) -> str:
    return f"POST\t{path}\t{body.decode()}"


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
    from dataplatform_common.gold_catalog import catalog_digest
    from dataplatform_common.sample_gold import generate

    WORK.mkdir(parents=True, exist_ok=True)
    gold = WORK / f"gold-{rows}-{catalog_digest()}.duckdb"  # kept between runs, per size and catalog
    if not gold.exists():
        generate(gold, rows)
    sqlite_path = gold.with_suffix(".sqlite")
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
    print(f"  {label:<46} {r.rps:8.0f} req/s  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms"
          f"  server CPU {r.server_cpu_ms_per_request:5.2f} ms/req{ratio}{extra}  (n={r.requests}, errors={r.errors}, "
          f"{r.load})")  # fmt: skip


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[bytes, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), response.headers.get("ETag", "")


def wait_for_build(serving_dir: Path, dataset: str, timeout: float = 600) -> None:
    """Until the serving format of `dataset` has appeared (its build is renamed into place when complete)."""
    deadline = time.monotonic() + timeout
    while not [p for p in serving_dir.glob(f"{dataset}-*") if p.is_dir() and ".tmp-" not in p.name]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the serving format of {dataset} was not built in {timeout:.0f} s")
        time.sleep(0.2)


def bench_rows(args: argparse.Namespace, gold: Path, sqlite_path: Path) -> None:
    from dataplatform_common.auth.dev import DevIssuer

    auth_dir = WORK / "dev-auth"
    token = DevIssuer(auth_dir).mint("exposition-api", ["Data.Read.Internal"], lifetime_seconds=3600)
    auth = {"Authorization": f"Bearer {token}"}
    keys = random_keys(gold, 1000, seed=7)
    hot = keys[:50]
    paths = {k: f"/v1/datasets/{DATASET}/rows?limit={PAGE}&cursor={cursor_for(k)}" for k in keys}
    threads_option = f"?threads={args.duckdb_threads}" if args.duckdb_threads else ""
    serving_dir = WORK / "serving"
    shutil.rmtree(serving_dir, ignore_errors=True)
    base_env = {"AUTH_MODE": "dev", "DEV_AUTH_DIR": str(auth_dir), "WAREHOUSE_URL": f"duckdb://{gold}{threads_option}",
                "LOG_REQUESTS": "true", "SERVING_DIR": str(serving_dir)}  # fmt: skip
    conf = str(REPO / "apps/exposition-api/gunicorn.conf.py")
    api_args = [str(BIN / "gunicorn"), "-c", conf, "exposition_api.wsgi:app"]
    w, t = args.workers, args.threads
    print(f"\nRows endpoint: {DATASET} ({PAGE}-row pages at 1,000 random keyset cursors), wrk 1 thread, "
          f"{args.connections} connections, {args.seconds:.0f} s each, gunicorn {w} workers x {t} threads, "
          f"DuckDB threads {args.duckdb_threads or 'default'}")  # fmt: skip

    results: dict[str, Result] = {}
    pages: dict[str, bytes] = {}
    etags: dict[str, str] = {}
    for label, serving in (("api_warehouse", "off"), ("api_serving", "on")):
        port = free_port()
        env = {**base_env, **gunicorn_env(port, w, t), "RESPONSE_CACHE_ENTRIES": "0", "SERVING_FORMAT": serving}
        with server(label, api_args, env, "/healthz", port) as api:
            if serving == "on":  # the first request starts the build; measure the format once it is there
                fetch(port, paths[keys[0]], auth)
                wait_for_build(serving_dir, DATASET)
            for key in keys:  # the exact bytes the ceiling will serve (and, once built, the format's first use)
                body, etag = fetch(port, paths[key], auth)
                if pages.setdefault(paths[key], body) != body:
                    raise RuntimeError(f"the serving format and the warehouse differ on {paths[key]}")
                etags[paths[key]] = etag
            results[label] = drive(port, [get_line(paths[k]) for k in keys], args.seconds, args.connections, auth,
                                   server_process=api)  # fmt: skip
    port = free_port()
    with server("api_cached", api_args, {**base_env, **gunicorn_env(port, w, t)}, "/healthz", port) as api:
        hot_lines = [get_line(paths[k]) for k in hot]
        drive(port, hot_lines, 2.0, args.connections, auth)  # warm every worker's cache
        results["api_repeated"] = drive(port, hot_lines, args.seconds, args.connections, auth, server_process=api)
        results["api_etag"] = drive(port, [get_line(paths[k], etags[paths[k]]) for k in hot], args.seconds,
                                    args.connections, auth, server_process=api)  # fmt: skip

    pages_file = WORK / "ceiling-pages.pickle"
    pages_file.write_bytes(pickle.dumps({path.split("?", 1)[1]: body for path, body in pages.items()}))
    port = free_port()
    ceiling_args = [str(BIN / "gunicorn"), "-c", conf, "--pythonpath", str(REPO / "bench"), "ceiling_app:app"]
    ceiling_env = {**gunicorn_env(port, w, t), "CEILING_PAGES": str(pages_file)}
    with server("ceiling", ceiling_args, ceiling_env, paths[keys[0]], port) as ceiling:
        results["ceiling_random"] = drive(port, [get_line(paths[k]) for k in keys], args.seconds, args.connections,
                                          server_process=ceiling)  # fmt: skip
        results["ceiling_repeated"] = drive(port, [get_line(paths[k]) for k in hot], args.seconds, args.connections,
                                            server_process=ceiling)  # fmt: skip
    for floor in ("flask", "platform"):  # the same bytes through Flask, then through the data apps' base app
        port = free_port()
        floor_args = [str(BIN / "gunicorn"), "-c", conf, "--pythonpath", str(REPO / "bench"), f"floor_app:{floor}_app"]
        floor_env = {**base_env, **ceiling_env, **gunicorn_env(port, w, t), "FLOOR": floor}
        with server(f"floor-{floor}", floor_args, floor_env, "/healthz" if floor == "platform" else paths[keys[0]],
                    port) as floor_server:  # fmt: skip
            results[f"floor_{floor}"] = drive(port, [get_line(paths[k]) for k in keys], args.seconds,
                                              args.connections, auth, server_process=floor_server)  # fmt: skip

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
        lines = [get_line(f"/{db}/{TABLE}.json?_size={PAGE}&_next={key}&_shape=objects") for key in keys]
        results["datasette"] = drive(port, lines, args.seconds, args.connections, server_process=lite)

    ceiling_random, ceiling_repeated = results["ceiling_random"], results["ceiling_repeated"]
    old, new, datasette = results["api_warehouse"], results["api_serving"], results["datasette"]
    line("ceiling: bare WSGI, same bytes (random)", ceiling_random)
    line("ceiling: bare WSGI, same bytes (repeated)", ceiling_repeated)
    line("floor: bare Flask, same bytes", results["floor_flask"], ceiling_random)
    line("floor: data apps' base app (auth, log, metrics)", results["floor_platform"], ceiling_random)
    line("exposition-api, uncached, warehouse (before)", old, ceiling_random)
    line("exposition-api, uncached, serving format", new, ceiling_random)
    line("exposition-api, repeated pages (cache)", results["api_repeated"], ceiling_repeated)
    line("exposition-api, repeated + If-None-Match", results["api_etag"], ceiling_repeated)
    line("datasette (SQLite), random pages", datasette)
    repeated = results["api_repeated"].rps / ceiling_repeated.rps
    print(f"  ratios: uncached/ceiling {new.rps / ceiling_random.rps:.2f} (target >= 0.30; before "
          f"{old.rps / ceiling_random.rps:.2f}), repeated/ceiling {repeated:.2f} (target >= 0.60), "
          f"uncached/datasette {new.rps / datasette.rps:.1f} (target >= 6; before "
          f"{old.rps / datasette.rps:.1f}), p99 uncached {new.p99_ms:.1f} ms (target <= 25)")  # fmt: skip
    cpu = {name: r.server_cpu_ms_per_request for name, r in results.items()}
    print(f"  the same ratios from server CPU per request (steadier when other jobs share the cores): "
          f"uncached/ceiling {cpu['ceiling_random'] / cpu['api_serving']:.2f} (before "
          f"{cpu['ceiling_random'] / cpu['api_warehouse']:.2f}), repeated/ceiling "
          f"{cpu['ceiling_repeated'] / cpu['api_repeated']:.2f}, uncached/datasette "
          f"{cpu['datasette'] / cpu['api_serving']:.1f}; floors/ceiling: Flask "
          f"{cpu['ceiling_random'] / cpu['floor_flask']:.2f}, base app "
          f"{cpu['ceiling_random'] / cpu['floor_platform']:.2f}")  # fmt: skip


# --------------------------------------------------------------------------- export
def export_gold(directory: Path, rows: int) -> Path:
    """A DuckDB file whose `policies` table (the catalog's columns) has `rows` rows, sorted by policy_id."""
    from dataplatform_common.sample_gold import Sizes, generate

    path = directory / "export.duckdb"
    generate(path, sizes=Sizes(customers=max(1, rows * 2 // 3), policies=rows, claims=max(1, rows // 2)),
             tables=["policies"])  # fmt: skip
    return path


class PeakRss:
    """Samples the resident memory of a process tree (sum over its processes) every 20 ms, in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.peak = self.start = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = 0
        with contextlib.suppress(Exception):
            for each in (self.root, *self.root.children(recursive=True)):
                with contextlib.suppress(Exception):
                    total += each.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


COPY_SCRIPT = """
import sys, time, duckdb
path, fmt, out, threads = sys.argv[1:5]
if fmt == "arrow":
    import pyarrow as pa
started = time.perf_counter()
con = duckdb.connect(path, read_only=True, config={"threads": int(threads)} if int(threads) else {})
con.execute("SET enable_progress_bar = false")
sql = "SELECT * FROM policies"
if fmt == "arrow":
    reader = con.sql(sql).to_arrow_reader(65536)
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_stream(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
else:
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT {fmt})")
print(time.perf_counter() - started)
"""


def bench_export(args: argparse.Namespace) -> None:
    from dataplatform_common.auth.dev import DevIssuer

    rows = args.export_rows
    auth_dir = WORK / "dev-auth"
    token = DevIssuer(auth_dir).mint("exposition-api", ["Data.Read.Internal"], lifetime_seconds=3600)
    with tempfile.TemporaryDirectory(dir=WORK, prefix="export-") as tmp:
        started = time.perf_counter()
        gold = export_gold(Path(tmp), rows)
        print(f"\nExport: {rows:,} policies generated into a temporary DuckDB file in "
              f"{time.perf_counter() - started:.0f} s ({gold.stat().st_size / 1e6:.0f} MB); "
              f"DuckDB threads {args.duckdb_threads or 'default'} for the API and for COPY")  # fmt: skip
        threads_option = f"?threads={args.duckdb_threads}" if args.duckdb_threads else ""
        port = free_port()
        env = {"AUTH_MODE": "dev", "DEV_AUTH_DIR": str(auth_dir), "WAREHOUSE_URL": f"duckdb://{gold}{threads_option}",
               **gunicorn_env(port, args.workers, args.threads), "GUNICORN_TIMEOUT": "600"}  # fmt: skip
        conf = str(REPO / "apps/exposition-api/gunicorn.conf.py")
        out = Path(tmp) / "copy.out"
        with server("export", [str(BIN / "gunicorn"), "-c", conf, "exposition_api.wsgi:app"], env, "/healthz",
                    port) as api:  # fmt: skip
            for fmt in ("csv", "arrow", "parquet"):
                request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/datasets/policies/export?format={fmt}",
                                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                size = 0
                with PeakRss(api.pid) as rss:
                    started = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=600) as response:
                        while chunk := response.read(1 << 20):
                            size += len(chunk)
                    api_seconds = time.perf_counter() - started
                api_load = load_average()
                copy = subprocess.Popen([sys.executable, "-c", COPY_SCRIPT, str(gold), fmt, str(out),
                                         str(args.duckdb_threads)], stdout=subprocess.PIPE, text=True)  # fmt: skip
                with PeakRss(copy.pid) as copy_rss:
                    copy_seconds = float(copy.communicate()[0].split()[-1])  # timed inside: without Python's start-up
                copy_size = out.stat().st_size
                out.unlink()
                api_rate, copy_rate = rows / api_seconds, rows / copy_seconds
                print(f"  {fmt:<8} API {api_rate / 1e6:5.2f} M rows/s ({size / 1e6:6.0f} MB), server RSS "
                      f"{rss.start / 1e6:4.0f} -> peak {rss.peak / 1e6:4.0f} MB ({api_load});  DuckDB "
                      f"{'COPY' if fmt != 'arrow' else 'Arrow reader'} {copy_rate / 1e6:5.2f} M rows/s "
                      f"({copy_size / 1e6:6.0f} MB), peak RSS {copy_rss.peak / 1e6:4.0f} MB ({load_average()});  "
                      f"API/DuckDB {api_rate / copy_rate:.2f} (target >= 0.5)")  # fmt: skip


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
    print(f"\nEnrichment: customer batches of 500 ({n_records} distinct records, drawn at random)")

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
            lines = [post_line("/v1/enrich/customer", body) for body in bodies]
            drive(port, lines, 1.0, connections, headers)  # warm-up: reference data loaded in every worker
            http[label] = drive(port, lines, args.seconds, connections, headers, server_process=enrichment)

    print(f"  phone + e-mail parsing alone, in-process      {phone_email:8.0f} records/s (1 core, {phone_email_load})")
    print(f"  enrich_batch in-process (ceiling)             {in_process:8.0f} records/s (1 core, {in_process_load})")
    for label, result in http.items():
        rate = result.rps * 500
        print(
            f"  HTTP, {label:<40}{rate:8.0f} records/s  p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
            f"  (batches={result.requests}, errors={result.errors}, {result.load})"
        )
    single = http["1 worker, 1 connection"].rps * 500
    print(f"  ratios: HTTP (1 worker) / in-process {single / in_process:.2f} (target >= 0.5), "
          f"HTTP records/s per core {single:.0f} (target >= 10000)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="sample gold size")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each measured scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (all servers)")
    parser.add_argument("--threads", type=int, default=None,
                        help="gunicorn threads per worker, all gthread servers (default: what the apps run with "
                             "on a DuckDB file, dataplatform_common.worker_threads)")  # fmt: skip
    parser.add_argument("--duckdb-threads", type=int, default=1,
                        help="DuckDB threads per query (0: DuckDB default, one per core); 1 suits many small "
                             "concurrent keyset queries (gunicorn threads x workers)")  # fmt: skip
    parser.add_argument("--export-rows", type=int, default=EXPORT_ROWS, help="rows of the export scenario's table")
    parser.add_argument("--only", choices=["rows", "export", "enrichment"], help="run one part")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: `make tools` installs it (Debian package wrk)")
    if not 1 <= args.seconds <= 60 or not 1 <= args.connections <= 256:
        parser.error("--seconds must be 1..60 and --connections 1..256 (bounded load)")
    if args.threads is None:
        from dataplatform_common.worker_threads import default_threads

        args.threads = default_threads(None)
    gold, sqlite_path = prepare(args.rows)
    print(f"bench/api.py on {os.cpu_count()} cores, gold {gold.name}, {load_average()} at start")
    if args.only in (None, "rows"):
        bench_rows(args, gold, sqlite_path)
    if args.only in (None, "export"):
        bench_export(args)
    if args.only in (None, "enrichment"):
        bench_enrichment(args, gold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
