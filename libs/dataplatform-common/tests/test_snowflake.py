"""Snowflake backend at the SQL/parameter level: URL parsing, key-pair auth arguments, qmark binding,
identifier quoting, and connection loss -> WarehouseUnavailableError then reconnect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dataplatform_common.warehouse import WarehouseUnavailableError, open_warehouse
from dataplatform_common.warehouse.snowflake_backend import SnowflakeSettings, SnowflakeWarehouse
from snowflake.connector.errors import OperationalError


class RecordingCursor:
    def __init__(self, connection: RecordingConnection) -> None:
        self.connection = connection
        self.description: list[tuple[str, ...]] = []

    def execute(self, sql: str, params: list[Any]) -> None:
        if self.connection.fail_next:
            self.connection.fail_next = False
            raise OperationalError(msg="connection reset", errno=250001)
        self.connection.executed.append((sql, params))
        self.description = [("POSTAL_CODE",), ("COMMUNE",)]

    def fetchall(self) -> list[tuple[str, str]]:
        return [("75001", "Paris")]

    def fetch_arrow_all(self) -> pa.Table:
        return pa.table({"POSTAL_CODE": ["75001"], "COMMUNE": ["Paris"]})

    def close(self) -> None:
        pass


class RecordingConnection:
    def __init__(self) -> None:
        self.executed: list[tuple[str, list[Any]]] = []
        self.fail_next = False

    def cursor(self) -> RecordingCursor:
        return RecordingCursor(self)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "key.p8"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))  # fmt: skip
    return path


def _url(key_file: Path) -> str:
    return f"snowflake://acme-prod/GOLD/PUBLIC?user=SVC_API&warehouse=WH&role=READER&private_key_file={key_file}"


def test_url_parsing(key_file: Path) -> None:
    settings = SnowflakeSettings.from_url(_url(key_file))
    assert (settings.account, settings.database, settings.schema, settings.user) == ("acme-prod", "GOLD", "PUBLIC",
                                                                                      "SVC_API")  # fmt: skip
    assert (settings.warehouse, settings.role, settings.private_key_file) == ("WH", "READER", key_file)


@pytest.mark.parametrize("url", ["snowflake://acct/db", "snowflake://acct/db/schema?user=u"])
def test_incomplete_url_is_rejected_with_the_expected_form(url: str) -> None:
    with pytest.raises(ValueError, match="private_key_file"):
        open_warehouse(url)


def test_key_pair_auth_and_qmark_binding(key_file: Path) -> None:
    calls: list[dict[str, Any]] = []
    connection = RecordingConnection()

    def connect(**kwargs: Any) -> RecordingConnection:
        calls.append(kwargs)
        return connection

    observed: list[tuple[str, str]] = []
    warehouse = SnowflakeWarehouse(SnowflakeSettings.from_url(_url(key_file)),
                                   observe=lambda b, op, s: observed.append((b, op)), connect=connect)  # fmt: skip
    sql = f"SELECT {warehouse.quote('postal_code')} FROM {warehouse.quote('ref_postal_codes')} WHERE x = ?"
    result = warehouse.query(sql, ["75001"], operation="reference")

    assert sql == 'SELECT "POSTAL_CODE" FROM "REF_POSTAL_CODES" WHERE x = ?'
    assert connection.executed == [(sql, ["75001"])]
    assert result.columns == ["postal_code", "commune"]  # lower-cased like the DuckDB backend
    arguments = calls[0]
    assert arguments["paramstyle"] == "qmark"
    assert "password" not in arguments
    key = serialization.load_der_private_key(arguments["private_key"], password=None)
    assert key.key_size == 2048
    assert (arguments["account"], arguments["role"], arguments["warehouse"]) == ("acme-prod", "READER", "WH")
    assert observed == [("snowflake", "reference")]
    table = warehouse.query_arrow("SELECT 1", [], operation="rows")
    assert table.column_names == ["postal_code", "commune"]


def test_connection_loss_is_unavailable_then_reconnects(key_file: Path) -> None:
    connections: list[RecordingConnection] = []

    def connect(**_: Any) -> RecordingConnection:
        connections.append(RecordingConnection())
        return connections[-1]

    warehouse = SnowflakeWarehouse(SnowflakeSettings.from_url(_url(key_file)), connect=connect)
    warehouse.ping()
    connections[0].fail_next = True
    with pytest.raises(WarehouseUnavailableError):
        warehouse.ping()
    warehouse.ping()
    assert len(connections) == 2


def test_connect_failure_is_unavailable(key_file: Path) -> None:
    def connect(**_: Any) -> None:
        raise OperationalError(msg="cannot reach", errno=250001)

    warehouse = SnowflakeWarehouse(SnowflakeSettings.from_url(_url(key_file)), connect=connect)
    with pytest.raises(WarehouseUnavailableError, match="acme-prod"):
        warehouse.ping()
