"""Fixtures: a real gold DuckDB file (generated once per session) and the app wired to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from dataplatform_common.testing import Tokens, make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from enrichment_api import create_app
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture(scope="session")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_gold(tmp_path_factory.mktemp("gold"))


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("auth"), "enrichment-api")


@pytest.fixture
def app(gold_file: Path, tokens: Tokens) -> Flask:
    return create_app(warehouse=DuckDBWarehouse(gold_file), verifier=tokens.verifier())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def producer(tokens: Tokens) -> dict[str, str]:
    return tokens.header("Enrichment.Run")
