"""Sets of IPv4 addresses as sorted, disjoint, inclusive integer ranges.

An ipBlock is `cidr` minus its `except` list, a flow's destination may be a whole range (a database
subnet, "every public address"), and a flow is allowed only when the union of what the policies
allow covers all of it: this is interval arithmetic, exact and small. IPv6 blocks select no IPv4
address (every address the platform declares is IPv4).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Range = tuple[int, int]


@dataclass(frozen=True)
class AddressSet:
    ranges: tuple[Range, ...] = ()

    @classmethod
    def of(cls, *cidrs: str) -> AddressSet:
        """Union of CIDRs; an IPv6 CIDR adds nothing."""
        ranges: list[Range] = []
        for cidr in cidrs:
            network = ipaddress.ip_network(cidr, strict=False)
            if network.version == 4:
                ranges.append((int(network.network_address), int(network.broadcast_address)))
        return cls(_normalise(ranges))

    @classmethod
    def everything(cls) -> AddressSet:
        return cls(((0, 2**32 - 1),))

    @classmethod
    def block(cls, cidr: str, excepts: Iterable[str] = ()) -> AddressSet:
        """An ipBlock: `cidr` minus every `except` CIDR."""
        return cls.of(cidr) - cls.of(*excepts)

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def __or__(self, other: AddressSet) -> AddressSet:
        return AddressSet(_normalise([*self.ranges, *other.ranges]))

    def __and__(self, other: AddressSet) -> AddressSet:
        out: list[Range] = []
        for start, end in self.ranges:
            for other_start, other_end in other.ranges:
                low, high = max(start, other_start), min(end, other_end)
                if low <= high:
                    out.append((low, high))
        return AddressSet(_normalise(out))

    def __sub__(self, other: AddressSet) -> AddressSet:
        out: list[Range] = []
        for start, end in self.ranges:
            pieces = [(start, end)]
            for cut_start, cut_end in other.ranges:
                next_pieces: list[Range] = []
                for low, high in pieces:
                    if cut_end < low or cut_start > high:
                        next_pieces.append((low, high))
                        continue
                    if low < cut_start:
                        next_pieces.append((low, cut_start - 1))
                    if cut_end < high:
                        next_pieces.append((cut_end + 1, high))
                pieces = next_pieces
            out.extend(pieces)
        return AddressSet(_normalise(out))

    def covers(self, other: AddressSet) -> bool:
        return not (other - self)

    def cidrs(self) -> list[str]:
        """The set as the fewest CIDRs (for messages)."""
        out: list[str] = []
        for start, end in self.ranges:
            first, last = ipaddress.IPv4Address(start), ipaddress.IPv4Address(end)
            out += [str(net) for net in ipaddress.summarize_address_range(first, last)]
        return out

    def describe(self, limit: int = 4) -> str:
        cidrs = self.cidrs()
        shown = ", ".join(cidrs[:limit])
        return shown + (f" (+{len(cidrs) - limit} more)" if len(cidrs) > limit else "")


def _normalise(ranges: list[Range]) -> tuple[Range, ...]:
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


#: Addresses that are not public: RFC 1918, shared (CGNAT), loopback, link-local, "this network",
#: multicast and reserved. "Public DNS" (the DNS-01 self-check) is every other address.
NON_PUBLIC = AddressSet.of(
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/3",
)
PUBLIC = AddressSet.everything() - NON_PUBLIC
