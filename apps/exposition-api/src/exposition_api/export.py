"""Bulk export: a dataset streamed as CSV, an Arrow IPC stream or Parquet, one record batch at a time.

Memory holds one batch of the warehouse's result and its encoding, whatever the dataset's size: the warehouse
streams the query (`Warehouse.stream_arrow`), each batch is encoded by Arrow's C++ writers and handed to the
WSGI server as soon as it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from exposition_api import formats

EXTENSIONS = {formats.CSV: "csv", formats.ARROW: "arrows", formats.PARQUET: "parquet"}


class _Chunks:
    """A write-only file object that keeps what was written until `drain` (the Parquet writer's sink)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def drain(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def encode(batches: Iterator[pa.RecordBatch], schema: Callable[[], pa.Schema], media_type: str,
           on_batch: Callable[[int], None] | None = None) -> Iterator[bytes]:  # fmt: skip
    """The encoded stream; `schema` is called only for an empty result (Arrow and Parquet need one then),
    `on_batch(rows)` after each batch (metrics)."""
    first = next(batches, None)
    chunks = _Chunks()
    if media_type == formats.CSV:
        header = True
        for batch in _chain(first, batches):
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(batch, sink, pa_csv.WriteOptions(include_header=header, quoting_style="needed"))
            header = False
            yield sink.getvalue().to_pybytes()
            _count(on_batch, batch)
        if first is None:
            yield ",".join(schema().names).encode() + b"\n"
        return
    table_schema = first.schema if first is not None else schema()
    writer = (pa.ipc.new_stream(chunks, table_schema) if media_type == formats.ARROW
              else pq.ParquetWriter(chunks, table_schema, compression="snappy"))  # fmt: skip
    for batch in _chain(first, batches):
        writer.write_batch(batch)
        yield chunks.drain()
        _count(on_batch, batch)
    writer.close()
    yield chunks.drain()


def _chain(first: pa.RecordBatch | None, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    if first is not None:
        yield first
        yield from rest


def _count(on_batch: Callable[[int], None] | None, batch: pa.RecordBatch) -> None:
    if on_batch is not None:
        on_batch(batch.num_rows)
