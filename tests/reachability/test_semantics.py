"""The building blocks: address sets (ipBlock with except) and label selectors, as Kubernetes defines them."""

from __future__ import annotations

import pytest

from platformctl.reachability.addresses import PUBLIC, AddressSet
from platformctl.selectors import matches


def test_ipblock_minus_except_and_coverage() -> None:
    block = AddressSet.block("10.0.0.0/8", ["10.1.0.0/16", "10.2.0.0/24"])
    assert block.covers(AddressSet.of("10.3.0.0/16")) and not block.covers(AddressSet.of("10.1.2.0/24"))
    assert (AddressSet.of("10.2.0.0/23") - block).cidrs() == ["10.2.0.0/24"]
    assert (AddressSet.of("10.0.0.0/9") | AddressSet.of("10.128.0.0/9")).cidrs() == ["10.0.0.0/8"]
    assert not AddressSet.of("2001:db8::/32"), "an IPv6 block selects no IPv4 address"


def test_public_addresses_are_covered_by_everything_but_the_private_ranges() -> None:
    internet = AddressSet.block("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])
    assert internet.covers(PUBLIC)
    assert not AddressSet.block("0.0.0.0/1").covers(PUBLIC)
    assert not PUBLIC.covers(AddressSet.of("10.225.0.0/28"))


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, {"a": "1"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"b": "1"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"b": "1"}, True),
        ({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
    ],
)
def test_label_selectors(selector: dict, labels: dict, expected: bool) -> None:
    assert matches(selector, labels) is expected
