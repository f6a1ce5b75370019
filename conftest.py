"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from gridgov.testing.factories import RegionTree


@pytest.fixture
def region(db: None) -> RegionTree:
    return RegionTree()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 is slow on purpose; tests hash many passwords and need no protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
