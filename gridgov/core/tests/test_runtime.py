"""Server start-up: what the first report would otherwise wait for is loaded when a process starts."""

from __future__ import annotations

import logging

import pytest
from django.db import connections

from gridgov.core import runtime
from gridgov.geo import index as geo_index
from gridgov.triage import registry


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the closing of connections (closing the test's own would end its transaction)."""
    calls: list[int] = []
    monkeypatch.setattr(connections, "close_all", lambda: calls.append(1))
    return calls


@pytest.mark.django_db
def test_warm_up_loads_the_grid_index_and_the_model_and_closes_its_connections(region, closed):
    geo_index.forget_grid_index()
    registry.forget_model()
    runtime.warm_up()
    assert geo_index._stamped._value is not None
    assert registry._stamped._value is not None
    assert closed == [1]


@pytest.mark.django_db
def test_warm_up_never_stops_a_server_from_starting(monkeypatch, caplog, closed):
    def unreadable():
        raise RuntimeError("no such table: geo_area")

    monkeypatch.setattr(geo_index, "get_grid_index", unreadable)
    with caplog.at_level(logging.WARNING, logger="gridgov.core.runtime"):
        runtime.warm_up()
    assert "warm-up skipped" in caplog.text
    assert closed == [1]
