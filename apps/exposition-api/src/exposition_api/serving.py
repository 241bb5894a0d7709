"""The serving format of the rows endpoint: keyset pages of an immutable gold version without a query.

Gold changes only when the pipeline publishes a new version (on DuckDB: a new file, new inode/mtime). For
each dataset and version, built once (on first use, or ahead with `python -m exposition_api.serving`) into
`SERVING_DIR/<dataset>-<digest>/`, in the catalog's default order (unique key ascending):

- `keys`: the order-preserving encoding of every row's unique key (exposition_api.keys), for bisection;
- `json`, `csv`: every row pre-encoded exactly as the warehouse path encodes it, in catalog column order,
  plus `json.<column>` / `csv.<column>` fragments, so any projection is a join of fragments;
- `rows.arrow`: the rows as an Arrow IPC file, read zero-copy.

Every file is memory-mapped read-only, so the gunicorn workers of a pod share one copy in the page cache.
A page is: bisect the cursor and the unique-key filters, slice (or join the projected fragments), wrap.
Anything else (another sort, a filter on another column, aggregates) stays a DuckDB query. A request
resolves its dataset's format once, for one version, and reads only that: it never mixes two versions.
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import hashlib
import io
import json
import logging
import mmap
import os
import shutil
import sys
import tempfile
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from dataplatform_common.warehouse import Warehouse

from exposition_api import formats, keys
from exposition_api.catalog import Dataset
from exposition_api.query import Condition, RowsQuery, encode_cursor

FORMAT_VERSION = 1  # bump when the files' layout or encoding changes: old builds are then ignored
BUILD_BATCH_ROWS = 65_536
YIELD_ROWS = 512  # rows encoded between two hand-overs of the GIL (about a millisecond of work)
KEEP_VERSIONS = 2  # per dataset: the newest and the one before (a worker may still be on it for a second)
log = logging.getLogger("dataplatform")


class UnservableError(Exception):
    """This dataset cannot have a serving format (a null or unsupported unique-key value): use the warehouse."""


def default_root() -> Path:
    """SERVING_DIR, else a folder of the temporary directory (/tmp in the cluster: read-only root FS)."""
    return Path(os.environ.get("SERVING_DIR") or Path(tempfile.gettempdir()) / "exposition-serving")


def _definition(dataset: Dataset) -> str:
    columns = [(c.name, c.type) for c in dataset.columns.values()]
    return json.dumps([FORMAT_VERSION, dataset.table, list(dataset.unique_key), columns])


# --------------------------------------------------------------------------- reading
class _Blob:
    """Variable-length records in one memory-mapped file, with n+1 uint64 offsets in another."""

    def __init__(self, path: Path) -> None:
        self.data = _map(path)
        self.offsets = memoryview(_map(path.with_name(path.name + ".index"))).cast("Q")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:
        return self.data[self.offsets[i] : self.offsets[i + 1]]

    def span(self, lo: int, hi: int) -> bytes:
        return self.data[self.offsets[lo] : self.offsets[hi]]


def _map(path: Path) -> mmap.mmap | bytes:
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return b""
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)


@dataclass(frozen=True)
class Page:
    """One page of the rows endpoint: its body, row count and next cursor (the serving format's and the warehouse's)."""

    body: bytes
    count: int
    next_cursor: str | None


class ServingDataset:
    """One dataset at one gold version, opened read-only; thread-safe (nothing is written after opening)."""

    def __init__(self, dataset: Dataset, directory: Path) -> None:
        self.dataset = dataset
        self.directory = directory
        self.key_columns = tuple(dataset.columns[name] for name in dataset.unique_key)
        self.key_kinds = tuple(c.kind for c in self.key_columns)
        self.names = list(dataset.columns)
        self.keys = _Blob(directory / "keys")
        self.json = _Blob(directory / "json")
        self.csv = _Blob(directory / "csv")
        self.json_fragments = {name: _Blob(directory / f"json.{name}") for name in self.names}
        self.csv_fragments = {name: _Blob(directory / f"csv.{name}") for name in self.names}
        self.arrow = pa.ipc.open_file(pa.memory_map(str(directory / "rows.arrow"))).read_all()
        self.rows = len(self.keys)
        self._default_spec = [c.name for c in self.key_columns]

    # ---- which rows
    def _first(self, prefix: bytes, after: bool, lo: int = 0) -> int:
        """First row whose key (cut to len(prefix)) is >= prefix, or > prefix when `after`."""
        size = len(prefix)
        search = bisect_right if after else bisect_left
        return search(range(self.rows), prefix, lo=lo, key=lambda i: self.keys[i][:size])

    def ranges(self, query: RowsQuery) -> list[tuple[int, int]] | None:
        """The row ranges the query selects, in order, or None when this format cannot answer it."""
        if query.order.spec() != self._default_spec:
            return None
        lead = self.key_columns[0]
        lo, hi, chosen = 0, self.rows, None
        for condition in query.conditions:
            if condition.column.name != lead.name or not all(keys.encodable(lead.kind, v) for v in condition.values):
                return None
            if condition.operator == "in":
                chosen = self._in_ranges(condition, chosen)
                continue
            prefix = keys.encode_part(lead.kind, condition.values[0])
            if condition.operator in ("eq", "gte", "gt"):
                lo = max(lo, self._first(prefix, after=condition.operator == "gt"))
            if condition.operator in ("eq", "lte", "lt"):
                hi = min(hi, self._first(prefix, after=condition.operator != "lt"))
        if query.after is not None:
            if not all(keys.encodable(k, v) for k, v in zip(self.key_kinds, query.after, strict=True)):
                return None
            lo = max(lo, self._first(keys.encode(self.key_kinds, query.after), after=True))
        spans = chosen if chosen is not None else [(0, self.rows)]
        return [(max(a, lo), min(b, hi)) for a, b in spans if max(a, lo) < min(b, hi)]

    def _in_ranges(self, condition: Condition, chosen: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
        kind = self.key_kinds[0]
        spans = []
        for prefix in sorted({keys.encode_part(kind, v) for v in condition.values}):
            start = self._first(prefix, after=False)
            spans.append((start, self._first(prefix, after=True, lo=start)))
        if chosen is None:
            return spans
        return [(max(a, c), min(b, d)) for a, b in spans for c, d in chosen if max(a, c) < min(b, d)]

    @staticmethod
    def _take(ranges: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
        taken = []
        for lo, hi in ranges:
            if count <= 0:
                break
            end = min(hi, lo + count)
            taken.append((lo, end))
            count -= end - lo
        return taken

    # ---- the page
    def page(self, query: RowsQuery, media_type: str) -> Page | None:
        ranges = self.ranges(query)
        if ranges is None:
            return None
        taken = self._take(ranges, query.limit + 1)
        total = sum(hi - lo for lo, hi in taken)
        if total > query.limit:  # one row more than the page: there is a next page, after the page's last row
            taken = self._take(taken, query.limit)
        count = min(total, query.limit)
        next_cursor = None
        if total > query.limit:
            last_row = taken[-1][1] - 1
            values = keys.decode(self.key_kinds, self.keys[last_row])
            next_cursor = encode_cursor(query.order, dict(zip(self.dataset.unique_key, values, strict=True)))
        if media_type == formats.ARROW:
            body = self._arrow(self._take(ranges, query.limit + 1), total, query.limit, query.fields)
        elif media_type == formats.CSV:
            body = self._csv(taken, query.fields)
        else:
            meta = {"dataset": self.dataset.name, "limit": query.limit, "count": count, "next_cursor": next_cursor}
            body = formats.dumps(meta)[:-1] + b',"data":[' + self._json(taken, query.fields) + b"]}"
        return Page(body, count, next_cursor)

    def _rows(self, ranges: list[tuple[int, int]]) -> Iterator[int]:
        for lo, hi in ranges:
            yield from range(lo, hi)

    def _json(self, ranges: list[tuple[int, int]], fields: list[str]) -> bytes:
        if fields == self.names:  # rows are stored with a trailing comma each
            return b"".join(self.json.span(lo, hi) for lo, hi in ranges)[:-1]
        fragments = [self.json_fragments[name] for name in fields]
        return b",".join(b"{" + b",".join(f[i] for f in fragments) + b"}" for i in self._rows(ranges))

    def _csv(self, ranges: list[tuple[int, int]], fields: list[str]) -> bytes:
        header = formats.rows_to_csv(fields, [])
        if fields == self.names:
            return header + b"".join(self.csv.span(lo, hi) for lo, hi in ranges)
        fragments = [self.csv_fragments[name] for name in fields]
        if len(fragments) == 1:  # the csv module quotes a record made of one empty field: ""
            return header + b"".join((fragments[0][i] or b'""') + b"\n" for i in self._rows(ranges))
        return header + b"".join(b",".join(f[i] for f in fragments) + b"\n" for i in self._rows(ranges))

    def _arrow(self, ranges: list[tuple[int, int]], total: int, limit: int, fields: list[str]) -> bytes:
        """The page as the warehouse path writes it: DuckDB's result of `total` (<= limit + 1) rows, cut to
        `limit`. The IPC writer copies a validity bitmap as it is, so the bitmaps are rebuilt as DuckDB makes
        them: ceil(rows / 8) bytes, every bit set but those of nulls."""
        if not ranges:  # DuckDB returns no batch for an empty result
            return formats.table_to_arrow(pa.Table.from_batches([], self.arrow.select(fields).schema))
        indices = pa.array([i for lo, hi in ranges for i in range(lo, hi)], pa.int64())
        fresh = self.arrow.select(fields).take(indices)
        columns = [_duckdb_validity(column.combine_chunks()) for column in fresh.columns]
        return formats.table_to_arrow(pa.Table.from_arrays(columns, schema=fresh.schema).slice(0, limit))


def _duckdb_validity(array: pa.Array) -> pa.Array:
    size = (len(array) + 7) // 8
    if array.null_count == 0:
        bitmap = b"\xff" * size
    else:
        valid = array.is_valid().to_pylist() + [True] * (size * 8 - len(array))
        bitmap = bytes(sum(1 << bit for bit in range(8) if valid[byte * 8 + bit]) for byte in range(size))
    return pa.Array.from_buffers(array.type, len(array), [pa.py_buffer(bitmap), *array.buffers()[1:]],
                                 null_count=array.null_count, offset=array.offset)  # fmt: skip


# --------------------------------------------------------------------------- building
def _encode(batch: pa.RecordBatch, names: list[str], kinds: tuple[str, ...], key_index: list[int],
            writers: dict[str, _BlobWriter], dataset: Dataset) -> int:  # fmt: skip
    """Append one slice of rows to every file of the format; return its row count."""
    columns = [batch.column(i).to_pylist() for i in range(len(names))]
    records = list(zip(*columns, strict=True))
    if any(record[i] is None for record in records for i in key_index):
        raise UnservableError(f"a unique-key column of {dataset.table} has a null")
    writers["keys"].extend([keys.encode(kinds, tuple(r[i] for i in key_index)) for r in records])
    writers["json"].extend([formats.dumps(dict(zip(names, r, strict=True))) + b"," for r in records])
    writers["csv"].extend(_csv_lines(records))
    for name, values in zip(names, columns, strict=True):
        writers[f"json.{name}"].extend([formats.dumps({name: v})[1:-1] for v in values])
        writers[f"csv.{name}"].extend(_csv_fragments(values))
    return len(records)


class _BlobWriter:
    def __init__(self, path: Path) -> None:
        self.file = path.open("wb")
        self.index_path = path.with_name(path.name + ".index")
        self.offsets = array("Q", [0])

    def extend(self, records: list[bytes]) -> None:
        position = self.offsets[-1]
        for record in records:
            position += len(record)
            self.offsets.append(position)
        self.file.write(b"".join(records))

    def close(self) -> None:
        self.file.close()
        self.index_path.write_bytes(self.offsets.tobytes())


def _csv_lines(rows: list[tuple[Any, ...]]) -> list[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    lines = []
    for row in rows:
        writer.writerow(row)
        lines.append(buffer.getvalue().encode())
        buffer.seek(0)
        buffer.truncate()
    return lines


def _csv_fragments(values: list[Any]) -> list[bytes]:
    """Each value as the csv module writes it among other fields (the quoting of a field is its own)."""
    return [line[:-2] for line in _csv_lines([(value, "") for value in values])]


def build(warehouse: Warehouse, dataset: Dataset, directory: Path) -> int:
    """Write the dataset's format into `directory` (which must not exist); return its row count."""
    directory.mkdir(parents=True)
    names = list(dataset.columns)
    kinds = tuple(dataset.columns[k].kind for k in dataset.unique_key)
    if not all(kind in keys.KEY_KINDS for kind in kinds):
        raise UnservableError(f"unique key {dataset.unique_key} has a type without an order-preserving encoding")
    key_index = [names.index(k) for k in dataset.unique_key]
    quote = warehouse.quote
    sql = (f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(dataset.table)} "
           f"ORDER BY {', '.join(quote(k) for k in dataset.unique_key)}")  # fmt: skip
    writers = {"keys": _BlobWriter(directory / "keys"), "json": _BlobWriter(directory / "json"),
               "csv": _BlobWriter(directory / "csv")}  # fmt: skip
    for name in names:
        writers[f"json.{name}"] = _BlobWriter(directory / f"json.{name}")
        writers[f"csv.{name}"] = _BlobWriter(directory / f"csv.{name}")
    arrow_writer = None
    rows = 0
    try:
        for batch in warehouse.stream_arrow(sql, operation="serving_build", batch_rows=BUILD_BATCH_ROWS):
            if arrow_writer is None:
                arrow_writer = pa.ipc.new_file(str(directory / "rows.arrow"), batch.schema)
            arrow_writer.write_batch(batch)
            for start in range(0, batch.num_rows, YIELD_ROWS):
                rows += _encode(batch.slice(start, YIELD_ROWS), names, kinds, key_index, writers, dataset)
                time.sleep(0)  # hand the GIL to the worker's request threads: a build never stalls their pages
        if arrow_writer is None:  # no rows: an empty file with the table's schema
            empty = warehouse.query_arrow(sql + " LIMIT 0", operation="serving_build")
            arrow_writer = pa.ipc.new_file(str(directory / "rows.arrow"), empty.schema)
    finally:
        for writer in writers.values():
            writer.close()
        if arrow_writer is not None:
            arrow_writer.close()
    return rows


class ServingStore:
    """The formats of one app, opened per (dataset, version) and built once per version across the pod's workers:
    an flock elects the builder, the build appears by an atomic rename.

    In `background` (the app's default) the build runs in a thread of the worker that won the lock, and until it
    is there every page comes from the warehouse: a first request never waits for a build (10M rows take longer
    than gunicorn's timeout). Without it (`python -m exposition_api.serving`, tests) `get` builds, or waits for
    the worker that builds, and returns the format."""

    def __init__(self, root: Path, warehouse: Warehouse, *, background: bool = True) -> None:
        self.root = root
        self.warehouse = warehouse
        self.background = background
        self._open: dict[str, tuple[str, ServingDataset | None]] = {}
        self._building: dict[tuple[str, str], threading.Thread] = {}
        self._lock = threading.Lock()

    def directory(self, dataset: Dataset, version: str) -> Path:
        digest = hashlib.blake2b(f"{version}\n{_definition(dataset)}".encode(), digest_size=10).hexdigest()
        return self.root / f"{dataset.name}-{digest}"

    def get(self, dataset: Dataset, version: str | None) -> ServingDataset | None:
        """The dataset's format at `version`, or None (no version, unservable, or still being built)."""
        if version is None:
            return None
        opened = self._open.get(dataset.name)
        if opened is not None and opened[0] == version:
            return opened[1]
        with self._lock:
            opened = self._open.get(dataset.name)
            if opened is not None and opened[0] == version:
                return opened[1]
            directory = self.directory(dataset, version)
            if not directory.is_dir() and not _unservable(directory).exists():
                if self.background:
                    self._start_build(dataset, version)
                    return None
                self._build_locked(dataset, version, wait=True)
            served = ServingDataset(dataset, directory) if directory.is_dir() else None
            self._open[dataset.name] = (version, served)
            return served

    def wait(self) -> None:
        """Wait for the builds this process started (tests, and the command line)."""
        for thread in list(self._building.values()):
            thread.join()

    def _start_build(self, dataset: Dataset, version: str) -> None:
        key = (dataset.name, version)
        if key not in self._building:
            thread = threading.Thread(target=self._build_locked, args=(dataset, version, False), daemon=True,
                                      name=f"serving-build-{dataset.name}")  # fmt: skip
            self._building[key] = thread
            thread.start()

    def _build_locked(self, dataset: Dataset, version: str, wait: bool) -> None:
        directory = self.directory(dataset, version)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with (self.root / f"{dataset.name}.lock").open("w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:
                    return  # another worker builds it: its rename will show the directory
                if not directory.is_dir() and not _unservable(directory).exists():
                    self._build(dataset, version, directory, _unservable(directory))
        except Exception:  # never fail a request for the format: its pages come from the warehouse
            log.exception("serving format of %s (version %s) could not be built", dataset.name, version)
        finally:
            self._building.pop((dataset.name, version), None)

    def _build(self, dataset: Dataset, version: str, directory: Path, unservable: Path) -> bool:
        work = directory.with_name(f"{directory.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(work, ignore_errors=True)
        try:
            rows = build(self.warehouse, dataset, work)
        except UnservableError as error:
            log.warning("serving format of %s: %s; its pages come from the warehouse", dataset.name, error)
            shutil.rmtree(work, ignore_errors=True)
            unservable.touch()
            return False
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if self.warehouse.published_version() != version:  # gold changed during the build: it may mix both
            shutil.rmtree(work, ignore_errors=True)
            return False
        work.rename(directory)
        log.info("serving format of %s built: %d rows, version %s, %s", dataset.name, rows, version, directory)
        self._prune(dataset, keep=directory)
        return True

    def _prune(self, dataset: Dataset, keep: Path) -> None:
        """Remove all but the newest builds of the dataset (a mapped file stays readable until unmapped)."""
        builds = sorted((p for p in self.root.glob(f"{dataset.name}-*") if p.is_dir() and ".tmp-" not in p.name),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)  # fmt: skip
        for old in builds[KEEP_VERSIONS:]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)


def _unservable(directory: Path) -> Path:
    """The marker of a version whose dataset has no format (e.g. a null key): never retried for that version."""
    return directory.with_name(directory.name + ".unservable")


def main(argv: list[str] | None = None) -> int:
    """Build every dataset's format for the current gold version (at publish time, e.g. in an init container)."""
    from dataplatform_common.warehouse import DEFAULT_URL, open_warehouse

    from exposition_api.catalog import load_catalog

    parser = argparse.ArgumentParser(prog="python -m exposition_api.serving", description=main.__doc__)
    parser.add_argument("--dir", type=Path, default=None, help="SERVING_DIR (default: $TMPDIR/exposition-serving)")
    args = parser.parse_args(argv)
    warehouse = open_warehouse(os.environ.get("WAREHOUSE_URL", DEFAULT_URL))
    catalog = load_catalog(Path(os.environ["CATALOG_FILE"]) if os.environ.get("CATALOG_FILE") else None)
    store = ServingStore(args.dir or default_root(), warehouse, background=False)
    version = warehouse.published_version()
    if version is None:
        print("serving: this warehouse has no published version (Snowflake): pages come from it", file=sys.stderr)
        return 0
    for dataset in catalog.values():
        served = store.get(dataset, version)
        print(f"serving: {dataset.name}: {served.rows if served else 'warehouse'} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
