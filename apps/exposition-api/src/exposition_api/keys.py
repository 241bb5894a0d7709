"""Order-preserving byte encoding of unique-key values: comparing encodings as bytes compares the values
as DuckDB's ORDER BY does (integers, dates and timestamps numerically, strings by their UTF-8 bytes).

Each part is self-delimiting (fixed 8 bytes, or escaped text ended by 00 00), so a whole key is never a
prefix of another key and the encoding of a leading column is a prefix of every key that starts with it.
"""

from __future__ import annotations

import struct
from datetime import date, datetime, timedelta
from typing import Any

KEY_KINDS = frozenset({"integer", "string", "date", "timestamp"})
_BIAS = 2**63
_EPOCH = datetime(1970, 1, 1)
_MICRO = timedelta(microseconds=1)


def encodable(kind: str, value: Any) -> bool:
    """Whether `value` (parsed to the column's type) has an encoding that orders like the warehouse."""
    if kind not in KEY_KINDS or value is None:
        return False
    return kind != "timestamp" or value.tzinfo is None


def encode_part(kind: str, value: Any) -> bytes:
    if kind == "string":
        return value.encode().replace(b"\x00", b"\x00\xff") + b"\x00\x00"
    if kind == "integer":
        number = value
    elif kind == "date":
        number = value.toordinal()
    else:  # timestamp
        number = (value - _EPOCH) // _MICRO
    return struct.pack(">Q", number + _BIAS)


def encode(kinds: tuple[str, ...], values: tuple[Any, ...]) -> bytes:
    return b"".join(encode_part(kind, value) for kind, value in zip(kinds, values, strict=True))


def decode(kinds: tuple[str, ...], data: bytes) -> tuple[Any, ...]:
    values: list[Any] = []
    position = 0
    for kind in kinds:
        if kind == "string":
            end = position
            while True:
                end = data.index(b"\x00", end)
                if data[end + 1] == 0:
                    break
                end += 2
            values.append(data[position:end].replace(b"\x00\xff", b"\x00").decode())
            position = end + 2
            continue
        number = struct.unpack_from(">Q", data, position)[0] - _BIAS
        position += 8
        if kind == "integer":
            values.append(number)
        elif kind == "date":
            values.append(date.fromordinal(number))
        else:
            values.append(_EPOCH + number * _MICRO)
    return tuple(values)
