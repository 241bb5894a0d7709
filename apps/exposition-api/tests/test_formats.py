"""Arrow pages: the same rows encode to the same bytes whatever the bytes under their nulls were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from exposition_api.formats import table_to_arrow


@pytest.mark.parametrize(
    ("arrow_type", "value"),
    [(pa.date32(), dt.date(2024, 5, 1)), (pa.int64(), 3), (pa.decimal128(12, 2), Decimal("1.50"))],
)
def test_values_under_nulls_do_not_change_the_bytes(arrow_type: pa.DataType, value: object) -> None:
    clean = pa.array([value, None, value], arrow_type)
    validity, values = clean.buffers()
    width = arrow_type.bit_width // 8
    junk = bytearray(values.to_pybytes())
    junk[width : 2 * width] = b"\xab" * width  # what a DuckDB vector may hold under a null
    dirty = pa.Array.from_buffers(arrow_type, 3, [validity, pa.py_buffer(bytes(junk))], 1)
    assert dirty.to_pylist() == clean.to_pylist() and dirty.buffers()[1] != values
    as_bytes = [table_to_arrow(pa.table({"c": array})) for array in (clean, dirty, dirty.slice(1))]
    assert as_bytes[0] == as_bytes[1]
    assert pa.ipc.open_stream(as_bytes[2]).read_all().column("c").to_pylist() == [None, value]
