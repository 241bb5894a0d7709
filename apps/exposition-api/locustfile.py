"""Load profile of exposition-api: how consumers (QlikSense extracts, other systems, analysts) use it.

Task mix (weights): catalog 2, paged reads with filters 8 (JSON, following the next cursor now and then),
CSV/Arrow exports 3, aggregates 3. Filter values are drawn at random so the response cache sees a
realistic share of misses. Every request is named after its endpoint group in slo.yaml (catalog, rows,
aggregate) so locust and Prometheus judge the same requests. Run by `platformctl loadtest exposition-api`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from locust import FastHttpUser, between, events, task

from platformctl.loadtest.locust_support import auth_headers, bound_request_count

bound_request_count(events)

REGIONS = ["Île-de-France", "Auvergne-Rhône-Alpes", "Hauts-de-France", "Normandie", "Grand Est", "Occitanie"]
DEPARTMENTS = ["Paris", "Bouches-du-Rhône", "Rhône", "Nord", "Loire-Atlantique", "Gironde", "Haute-Garonne",
               "Bas-Rhin", "Ille-et-Vilaine", "Alpes-Maritimes"]  # fmt: skip
PRODUCTS = ["AUTO", "HOME", "HEALTH", "LIFE"]
CLAIM_STATUSES = ["OPEN", "SETTLED", "REJECTED"]
EXPORT_TYPES = ["text/csv", "application/vnd.apache.arrow.stream"]


def _random_day(start: date, days: int) -> str:
    return (start + timedelta(days=random.randrange(days))).isoformat()


def _customer_id(upper: int) -> str:
    return f"CUS-{random.randrange(1, upper):07d}"  # the pipeline's ids, ordered as text


class DatasetConsumer(FastHttpUser):
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.headers = auth_headers()

    @task(2)
    def catalog(self) -> None:
        self.client.get("/v1/datasets", headers=self.headers, name="catalog")

    @task(8)
    def paged_read(self) -> None:
        choice = random.random()
        if choice < 0.4:
            params = {"region": random.choice(REGIONS), "limit": random.choice([50, 100, 200]),
                      "customer_id.gte": _customer_id(50_000)}  # fmt: skip
            path = "/v1/datasets/customers/rows"
        elif choice < 0.7:
            params = {"product.in": ",".join(random.sample(PRODUCTS, 2)), "status": "ACTIVE",
                      "start_date.gte": _random_day(date(2018, 1, 1), 2500), "limit": 100}  # fmt: skip
            path = "/v1/datasets/policies/rows"
        else:
            params = {"status.in": ",".join(random.sample(CLAIM_STATUSES, 2)), "sort": "-claim_id",
                      "claim_date.gte": _random_day(date(2018, 1, 1), 2800), "limit": 100}  # fmt: skip
            path = "/v1/datasets/claims/rows"
        with self.client.get(path, params=params, headers=self.headers, name="rows", catch_response=True) as response:
            cursor = response.headers.get("X-Next-Cursor") if response.status_code == 200 else None
        if cursor and random.random() < 0.3:  # read the next page now and then
            self.client.get(path, params={**params, "cursor": cursor}, headers=self.headers, name="rows")

    @task(3)
    def export(self) -> None:
        params = {"department.in": ",".join(random.sample(DEPARTMENTS, 3)), "limit": 1000,
                  "customer_id.gte": _customer_id(60_000)}  # fmt: skip
        headers = {**self.headers, "Accept": random.choice(EXPORT_TYPES), "Accept-Encoding": "gzip"}
        self.client.get("/v1/datasets/customers/rows", params=params, headers=headers, name="rows")

    @task(3)
    def aggregate(self) -> None:
        if random.random() < 0.5:
            path = "/v1/datasets/premiums_monthly/aggregate"
            params = {"group_by": random.choice(["product", "month", "month,product"]),
                      "metrics": "sum:premiums_due_eur,sum:premiums_paid_eur,sum:policies_count",
                      "month.gte": _random_day(date(2019, 1, 1), 2000)}  # fmt: skip
        else:
            path = "/v1/datasets/claims/aggregate"
            groups = ["product", "status", "region,status"]
            params = {"group_by": random.choice(groups), "metrics": "count,avg:amount_eur",
                      "claim_date.gte": _random_day(date(2018, 1, 1), 2800)}  # fmt: skip
        self.client.get(path, params=params, headers=self.headers, name="aggregate")
