"""Deterministic raw drops of an insurance broker, with the defects real producers send.

Locally the sources are files dropped in a landing folder, one file per entity per drop:
`<landing>/<entity>/drop_0001.csv|parquet`. The same seed and drop number always give the same bytes, so
tests and benchmarks are reproducible. Defects, on purpose:

- duplicates: exact repeats inside a drop, and records re-sent in a later drop with a newer `updated_at`;
- bad e-mails and phone numbers, names with stray spaces and mixed case, dates in French formats,
  amounts with a decimal comma;
- late-arriving rows: claims and premiums of earlier months arrive in later drops;
- schema drift: from drop `PHONE_DRIFT_DROP` on, the customers' `phone` column is renamed `mobile_phone`.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ENTITY_FORMATS: dict[str, str] = {
    "customers": "csv",
    "policies": "parquet",
    "claims": "csv",
    "premiums": "parquet",
}
PHONE_DRIFT_DROP = 3
FIRST_MONTH = date(2024, 1, 1)
PRODUCTS = ("AUTO", "HOME", "HEALTH", "LIFE")
POLICY_STATUSES = ("active", "ACTIVE", " Active", "cancelled", "LAPSED")
CLAIM_STATUSES = ("OPEN", "settled", "Settled ", "REJECTED")
FIRST_NAMES = ("jean", "MARIE", "  pierre", "sophie ", "jean-pierre", "Élodie", "luc", "camille", "nathalie", "hugo")
LAST_NAMES = ("dupont", "Martin", "BERNARD", " petit", "durand ", "le goff", "d'artagnan", "Moreau", "fournier")
DOMAINS = ("example.com", "mail.example.fr", "courtier.example.org")
# Ratios of each entity's rows to the customers of a drop: 1 + 2 + 1 + 6 = 10 rows per customer.
ROWS_PER_CUSTOMER = {"customers": 1, "policies": 2, "claims": 1, "premiums": 6}


@dataclass(frozen=True)
class DropSpec:
    """What one drop contains: `customers` new customers and the rows that follow from them."""

    number: int
    customers: int
    seed: int = 7


def customers_for_rows(total_rows: int, drops: int) -> int:
    """Customers per drop so that `drops` drops hold about `total_rows` raw rows."""
    per_customer = sum(ROWS_PER_CUSTOMER.values())
    return max(1, round(total_rows / drops / per_customer))


def _month(number: int) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + number - 1, 12)
    return date(FIRST_MONTH.year + year, month + 1, 1)


def _french_or_iso(rng: random.Random, day: date) -> str:
    return day.strftime("%d/%m/%Y") if rng.random() < 0.3 else day.isoformat()


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return rng.choice(("12-34", "0000", "+33 1"))
    # Allocated French mobile ranges: 06 and 073-079 (070-072 are not valid numbers).
    prefix = rng.choice(("06", "073", "075", "076", "077", "078"))
    national = prefix + "".join(str(rng.randint(0, 9)) for _ in range(10 - len(prefix)))
    return " ".join(national[i : i + 2] for i in range(0, 10, 2)) if rng.random() < 0.5 else f"+33{national[1:]}"


def _email(rng: random.Random, first: str, last: str, number: int) -> str:
    ascii_name = unicodedata.normalize("NFD", f"{first.strip()}.{last.strip()}").encode("ascii", "ignore").decode()
    local = f"{ascii_name.lower().replace(' ', '').replace(chr(39), '')}{number}"
    if rng.random() < 0.03:
        return rng.choice((f"{local}@@example.com", f"{local}.example.com", f"{local}@localhost"))
    email = f"{local}@{rng.choice(DOMAINS)}"
    return f" {email.upper()} " if rng.random() < 0.1 else email


class DropWriter:
    """Writes the files of the drops of one landing folder."""

    def __init__(self, landing_dir: Path, postal_codes: list[str]) -> None:
        if not postal_codes:
            raise ValueError("the postal-code reference is empty: cannot generate customer addresses")
        self.landing_dir = landing_dir
        self.postal_codes = postal_codes

    def write(self, spec: DropSpec) -> dict[str, Path]:
        """Write every entity file of `spec`; returns entity -> file written."""
        rng = random.Random(spec.seed * 1_000_003 + spec.number)
        customers = self._customers(rng, spec)
        policies = self._policies(rng, spec)
        claims = self._claims(rng, spec)
        premiums = self._premiums(rng, spec)
        rows = {"customers": customers, "policies": policies, "claims": claims, "premiums": premiums}
        return {entity: self._write_file(entity, spec.number, entity_rows) for entity, entity_rows in rows.items()}

    def _write_file(self, entity: str, number: int, rows: list[dict[str, object]]) -> Path:
        fmt = ENTITY_FORMATS[entity]
        path = self.landing_dir / entity / f"drop_{number:04d}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        if fmt == "csv":
            with tmp.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        else:
            pq.write_table(pa.Table.from_pylist(rows), tmp)
        tmp.replace(path)  # a half-written file is never visible to the loader
        return path

    @staticmethod
    def _with_duplicates(rng: random.Random, rows: list[dict[str, object]], ratio: float) -> list[dict[str, object]]:
        repeats = [dict(rng.choice(rows)) for _ in range(int(len(rows) * ratio))]
        return rows + repeats

    def _customers(self, rng: random.Random, spec: DropSpec) -> list[dict[str, object]]:
        phone_column = "mobile_phone" if spec.number >= PHONE_DRIFT_DROP else "phone"
        month = _month(spec.number)
        first_id = (spec.number - 1) * spec.customers + 1
        ids = list(range(first_id, first_id + spec.customers))
        # Re-sent customers of earlier drops, with a newer updated_at (the latest version wins in silver).
        if spec.number > 1:
            ids += [rng.randint(1, first_id - 1) for _ in range(max(1, spec.customers // 20))]
        rows: list[dict[str, object]] = []
        for number in ids:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 62))
            rows.append(
                {
                    "customer_id": f"CUS-{number:07d}",
                    "first_name": first,
                    "last_name": last,
                    "email": _email(rng, first, last, number),
                    phone_column: _phone(rng),
                    "birth_date": _french_or_iso(rng, birth),
                    "postal_code": rng.choice(self.postal_codes).lstrip("0") if rng.random() < 0.05 else None,
                    "address": f"{rng.randint(1, 120)}  rue de la Paix",
                    "updated_at": f"{month + timedelta(days=rng.randint(0, 27))}T{rng.randint(0, 23):02d}:00:00",
                }
            )
            if rows[-1]["postal_code"] is None:
                rows[-1]["postal_code"] = rng.choice(self.postal_codes)
        return self._with_duplicates(rng, rows, 0.02)

    def _policies(self, rng: random.Random, spec: DropSpec) -> list[dict[str, object]]:
        month = _month(spec.number)
        known_customers = spec.number * spec.customers
        per_drop = spec.customers * ROWS_PER_CUSTOMER["policies"]
        first_id = (spec.number - 1) * per_drop + 1
        rows: list[dict[str, object]] = []
        for number in range(first_id, first_id + per_drop):
            start = month + timedelta(days=rng.randint(0, 27))
            rows.append(
                {
                    "policy_id": f"pol-{number:07d}" if rng.random() < 0.05 else f"POL-{number:07d}",
                    "customer_id": f"CUS-{rng.randint(1, known_customers):07d}",
                    "product": rng.choice(PRODUCTS),
                    "status": rng.choice(POLICY_STATUSES),
                    "start_date": start.isoformat(),
                    "annual_premium": round(rng.uniform(120, 2400), 2),
                    "updated_at": datetime(start.year, start.month, start.day, rng.randint(0, 23)),
                }
            )
        return self._with_duplicates(rng, rows, 0.02)

    def _claims(self, rng: random.Random, spec: DropSpec) -> list[dict[str, object]]:
        month = _month(spec.number)
        known_policies = spec.number * spec.customers * ROWS_PER_CUSTOMER["policies"]
        per_drop = spec.customers * ROWS_PER_CUSTOMER["claims"]
        first_id = (spec.number - 1) * per_drop + 1
        rows: list[dict[str, object]] = []
        for number in range(first_id, first_id + per_drop):
            # One claim in ten is late: it happened in an earlier month than the drop's.
            late_months = rng.randint(1, spec.number - 1) if spec.number > 1 and rng.random() < 0.1 else 0
            claim_day = _month(spec.number - late_months) + timedelta(days=rng.randint(0, 27))
            amount = f"{rng.uniform(50, 25_000):.2f}"
            rows.append(
                {
                    "claim_id": f"CLM-{number:07d}",
                    "policy_id": f"POL-{rng.randint(1, known_policies):07d}",
                    "claim_date": _french_or_iso(rng, claim_day),
                    "amount_eur": amount.replace(".", ",") if rng.random() < 0.3 else amount,
                    "status": rng.choice(CLAIM_STATUSES),
                    "postal_code": rng.choice(self.postal_codes),
                    "description": rng.choice(("water damage", "  theft", "collision", "fire ", "storm")),
                    "reported_at": f"{month + timedelta(days=rng.randint(0, 27))}T12:00:00",
                }
            )
        return self._with_duplicates(rng, rows, 0.01)

    def _premiums(self, rng: random.Random, spec: DropSpec) -> list[dict[str, object]]:
        known_policies = spec.number * spec.customers * ROWS_PER_CUSTOMER["policies"]
        per_drop = spec.customers * ROWS_PER_CUSTOMER["premiums"]
        first_id = (spec.number - 1) * per_drop + 1
        rows: list[dict[str, object]] = []
        for number in range(first_id, first_id + per_drop):
            late_months = rng.randint(1, spec.number - 1) if spec.number > 1 and rng.random() < 0.05 else 0
            rows.append(
                {
                    "premium_id": f"PRM-{number:08d}",
                    "policy_id": f"POL-{rng.randint(1, known_policies):07d}",
                    "due_month": _month(spec.number - late_months),
                    "amount_eur": round(rng.uniform(10, 200), 2),
                    "paid": rng.random() < 0.93,
                }
            )
        return self._with_duplicates(rng, rows, 0.01)


def write_drops(
    landing_dir: Path,
    postal_codes: list[str],
    drops: range,
    customers_per_drop: int,
    seed: int = 7,
    on_drop: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write drops `drops` (e.g. range(1, 4)); returns every file written."""
    writer = DropWriter(landing_dir, postal_codes)
    written: list[Path] = []
    for number in drops:
        written += writer.write(DropSpec(number=number, customers=customers_per_drop, seed=seed)).values()
        if on_drop:
            on_drop(number)
    return written
