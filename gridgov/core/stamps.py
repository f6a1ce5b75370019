"""Version stamps: how one process tells the others that something they keep in memory (the grid index, the
triage model) changed.

A stamp is a random token under a key, kept in the database every process already shares (``core.Stamp``), so it
works with any number of server processes and with commands run beside them (``gridgov triage train``, an area
import), with or without Redis. Readers compare it with the token their copy was built for, at most once a second,
and rebuild when it differs; writers replace it. A bump inside a transaction reaches the others when it commits,
together with the change it announces.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from gridgov.core.models import Stamp


def read_stamp(key: str) -> str:
    """The current stamp under ``key``, created on first use (a concurrent first writer's is kept).

    Inside a caller's transaction the read runs in a savepoint, so that a failed read (the callers keep what they
    have) does not leave PostgreSQL's transaction aborted for the rest of the request. Outside one it is a plain
    autocommit read (on SQLite a transaction would wait for the write lock).
    """
    if not transaction.get_connection().in_atomic_block:
        return _read(key)
    with transaction.atomic():
        return _read(key)


def _read(key: str) -> str:
    value = Stamp.objects.filter(key=key).values_list("value", flat=True).first()
    if value is None:
        value = Stamp.objects.get_or_create(key=key, defaults={"value": uuid.uuid4().hex})[0].value
    return str(value)


def bump_stamp(key: str) -> None:
    """Give ``key`` a new stamp: every reader rebuilds on its next check."""
    Stamp.objects.update_or_create(key=key, defaults={"value": uuid.uuid4().hex})
