"""A small in-process LRU of serialised responses, keyed by request and data version, with ETags.

Gold data changes only when the pipeline rebuilds it; the warehouse's data version is part of the key,
so a rebuild invalidates every entry at once. Each gunicorn worker has its own cache.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CachedResponse:
    body: bytes
    mimetype: str
    etag: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    _gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=5, mtime=0)
        return self._gzipped


def make_etag(body: bytes) -> str:
    """A strong entity tag (unquoted; werkzeug quotes it in the header)."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class ResponseCache:
    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> CachedResponse | None:
        if self.max_entries <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Any, entry: CachedResponse) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
