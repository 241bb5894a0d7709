"""Fixtures: a real gold DuckDB file (generated once per session) and the app wired to it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dataplatform_common.testing import Tokens, make_gold
from dataplatform_common.warehouse import DuckDBWarehouse
from exposition_api import create_app
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture(scope="session", autouse=True)
def serving_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The apps of these tests build their serving formats here, never in the shared temporary folder."""
    path = tmp_path_factory.mktemp("serving")
    previous = os.environ.get("SERVING_DIR")
    os.environ["SERVING_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("SERVING_DIR", None)
    else:
        os.environ["SERVING_DIR"] = previous


@pytest.fixture(scope="session")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_gold(tmp_path_factory.mktemp("gold"))


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("auth"), "exposition-api")


@pytest.fixture
def app(gold_file: Path, tokens: Tokens) -> Flask:
    return create_app(warehouse=DuckDBWarehouse(gold_file), verifier=tokens.verifier())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def reader(tokens: Tokens) -> dict[str, str]:
    """A caller cleared up to confidential data."""
    return tokens.header("Data.Read.Confidential")
