"""Deployment checks (``gridgov check --deploy``): what a production installation must not miss."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

#: Cache backends whose counters every server process shares (rate limits, cached public answers).
SHARED_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits (public intake per IP and phone, Open311 per key) count in the cache. The local-memory default
    is right for ``gridgov serve`` (one process, many threads); several processes (gunicorn workers, several
    servers) each count on their own, so each limit becomes the limit times the number of processes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in SHARED_CACHES:
        return []
    return [
        checks.Warning(
            f"The cache ({backend}) is not shared between processes: with more than one server process, rate "
            "limits are counted per process.",
            hint="Set REDIS_URL (docs/architecture.md). One `gridgov serve` process needs nothing.",
            id="gridgov.W001",
        )
    ]
