"""Load profile of enrichment-api: producers sending batches of customer and claim records to clean.

Batch sizes vary like real producers' (mostly small interactive batches, some nightly bulk ones:
1, 10, 50, 200, 500 records); about 10 % of the records are invalid (bad e-mail, phone, postal code or
date, missing required field), which the API reports per record inside a 200 answer. Every request is
named after its endpoint group in slo.yaml (`enrich`). Run by `platformctl loadtest enrichment-api`.
"""

from __future__ import annotations

import random

from locust import FastHttpUser, between, events, task

from platformctl.loadtest.locust_support import auth_headers, bound_request_count

bound_request_count(events)

BATCH_SIZES = [1, 10, 10, 50, 50, 200, 500]
FIRST_NAMES = ["jean-pierre", "MARIE", " léa ", "hugo", "Chloé", "ARTHUR", "inès"]
LAST_NAMES = ["dupont", "Martin", "LEFÈVRE", "de la fontaine", "roux"]
POSTAL_CODES = ["75001", "69003", "13008", "59000", "44000", "33000", "31000", "67000"]
PERILS = ["water damage", "theft", "storm", "collision", "glass"]
INVALID_RATIO = 0.1


def customer(index: int) -> dict[str, str]:
    record = {
        "external_id": f"CRM-{index:06d}",
        "first_name": random.choice(FIRST_NAMES),
        "last_name": random.choice(LAST_NAMES),
        "email": f" Client.{index}@Example.COM ",
        "phone": f"06 {random.randrange(10, 99)} {random.randrange(10, 99)} {random.randrange(10, 99)} 78",
        "birth_date": f"{random.randrange(1, 28):02d}/{random.randrange(1, 12):02d}/{random.randrange(1940, 2005)}",
        "postal_code": random.choice(POSTAL_CODES),
        "address": f"{random.randrange(1, 200)}  rue de la Paix",
    }
    if random.random() < INVALID_RATIO:
        broken = random.choice(["email", "phone", "postal_code", "birth_date", "last_name"])
        record[broken] = {
            "email": "not-an-email",
            "phone": "12",
            "postal_code": "00000",
            "birth_date": "31/02/1990",
        }.get(broken, "")
    return record


def claim(index: int) -> dict[str, str]:
    record = {
        "external_id": f"CLM-{index:06d}",
        "policy_id": f"pol-{random.randrange(1, 90_000):08d}",
        "claim_date": f"2024-{random.randrange(1, 12):02d}-{random.randrange(1, 28):02d}",
        "amount_eur": f"{random.randrange(50, 20_000)},{random.randrange(0, 99):02d}",
        "postal_code": random.choice(POSTAL_CODES),
        "description": random.choice(PERILS),
    }
    if random.random() < INVALID_RATIO:
        broken = random.choice(["amount_eur", "claim_date", "policy_id"])
        record[broken] = {"amount_eur": "-12", "claim_date": "someday"}.get(broken, "")
    return record


class Producer(FastHttpUser):
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.headers = auth_headers()
        self.sent = 0

    def _send(self, entity: str, make_record) -> None:
        size = random.choice(BATCH_SIZES)
        records = [make_record(self.sent + i) for i in range(size)]
        self.sent += size
        self.client.post(f"/v1/enrich/{entity}", json={"records": records}, headers=self.headers, name="enrich")

    @task(3)
    def customers(self) -> None:
        self._send("customer", customer)

    @task(1)
    def claims(self) -> None:
        self._send("claim", claim)
