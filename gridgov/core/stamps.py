"""Version stamps in the shared cache: how one process tells the others that something they keep in memory
(the grid index, the triage model) changed.

A stamp is a random token under a cache key. Readers compare it with the one their copy was built for and
rebuild when it differs; writers replace it. With Redis as the cache every process sees the same stamp; with the
local-memory cache (one process) it still works for that process.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache


def read_stamp(key: str) -> str:
    """The current stamp under ``key``, created on first use (``add`` keeps a concurrent first writer's)."""
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        stamp = cache.get(key)
    return str(stamp)


def bump_stamp(key: str) -> None:
    """Give ``key`` a new stamp: every reader rebuilds on its next check."""
    cache.set(key, uuid.uuid4().hex, timeout=None)
