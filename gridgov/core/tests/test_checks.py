"""The deployment check about a cache that server processes do not share."""

from __future__ import annotations

from django.core.checks import run_checks


def _ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id}


def test_a_local_memory_cache_is_reported_on_deploy(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "gridgov.W001" in _ids()
    # Not a problem while developing: the check runs only with --deploy.
    assert "gridgov.W001" not in {message.id for message in run_checks()}


def test_redis_satisfies_it(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1"}
    }
    assert "gridgov.W001" not in _ids()
