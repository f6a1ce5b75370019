"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest

from gridgov.cases.tests.conftest import Town, town  # noqa: F401 - the working town, for every app's tests
from gridgov.testing.factories import RegionTree


@pytest.fixture
def default_categories(db: None) -> None:
    """The default taxonomy, which the data migration loads: a transactional test's flush (PostgreSQL runs
    those) empties the table for the tests after it, so tests that need categories ask for them here."""
    from gridgov.cases.models import Category
    from gridgov.cases.taxonomy import category_defaults, default_taxonomy

    for index, entry in enumerate(default_taxonomy()["categories"], start=1):
        Category.objects.get_or_create(code=entry["code"], defaults=category_defaults(entry, index * 10))


@pytest.fixture
def region(db: None, default_categories: None) -> RegionTree:
    return RegionTree()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """PBKDF2 is slow on purpose; tests hash many passwords and need no protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Tests build areas, categories, keys and accounts directly with the ORM (not through the actions, which
    announce their changes) and roll them back afterwards, so each test starts with every per-process cache
    (``core.stamps.Stamped``: the grid index, reference tables) rebuilt from its own data. The triage model is
    read from files and costly to load: the triage tests, which create model versions, forget it themselves."""
    from gridgov.core.stamps import forget_all
    from gridgov.triage.registry import STAMP_KEY

    forget_all(keep=[STAMP_KEY])


@pytest.fixture(autouse=True)
def _installation_language(settings) -> None:
    """Each request activates a language in its thread (``core.middleware``) and nothing resets it afterwards:
    without this, a test that asked for English leaves English to the tests after it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
