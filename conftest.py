"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from gridgov.testing.factories import RegionTree


@pytest.fixture
def region(db: None) -> RegionTree:
    return RegionTree()
