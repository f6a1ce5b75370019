"""Version stamps: how one process tells the others that something they keep in memory (the grid index, the
triage model) changed.

A stamp is a random token under a key, kept in the database every process already shares (``core.Stamp``), so it
works with any number of server processes and with commands run beside them (``gridgov triage train``, an area
import), with or without Redis. Readers compare it with the token their copy was built for, at most once a second,
and rebuild when it differs; writers replace it. A bump inside a transaction reaches the others when it commits,
together with the change it announces.

``Stamped`` wraps that protocol around a value: the grid index, the triage model, and the small reference tables
every report reads (categories, API keys, who is told of a new case) are kept per process this way instead of being
queried on every request.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from typing import Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from gridgov.core.models import Stamp

T = TypeVar("T")
logger = logging.getLogger(__name__)


def read_stamp(key: str) -> str:
    """The current stamp under ``key``, created on first use (a concurrent first writer's is kept)."""
    return read_stamps([key])[0]


def read_stamps(keys: Sequence[str]) -> list[str]:
    """The current stamps under ``keys``, in one query, each created on first use.

    Inside a caller's transaction the read runs in a savepoint, so that a failed read (the callers keep what they
    have) does not leave PostgreSQL's transaction aborted for the rest of the request. Outside one it is a plain
    autocommit read (on SQLite a transaction would wait for the write lock).
    """
    if not transaction.get_connection().in_atomic_block:
        return _read(keys)
    with transaction.atomic():
        return _read(keys)


def _read(keys: Sequence[str]) -> list[str]:
    found = dict(Stamp.objects.filter(key__in=keys).values_list("key", "value"))
    for key in keys:
        if key not in found:
            found[key] = Stamp.objects.get_or_create(key=key, defaults={"value": uuid.uuid4().hex})[0].value
    return [str(found[key]) for key in keys]


def bump_stamp(key: str) -> None:
    """Give ``key`` a new stamp: every reader rebuilds on its next check."""
    Stamp.objects.update_or_create(key=key, defaults={"value": uuid.uuid4().hex})


class Stamped(Generic[T]):
    """A value this process builds from the database and keeps until the stamp under ``key`` changes.

    ``get`` re-reads the stamp at most every ``recheck_seconds`` and rebuilds when it differs from the one the value
    was built for; ``also`` names stamps of data the value is built from besides its own (the areas, for a cache of
    who holds which area), read in the same query. While one thread rebuilds, the others keep the value they have;
    if the stamp cannot be read, the current value keeps serving (stale reference data beats an error). ``changed``
    announces a change to every process (this one at once); ``forget`` drops only this process's copy (tests that
    roll their data back). A change rolled back is noticed at the next re-read, when the stamp is back to its old
    value: for at most ``recheck_seconds`` the writing process may still see what it wrote.
    """

    def __init__(
        self, key: str, build: Callable[[], T], *, also: Sequence[str] = (), recheck_seconds: float = 1.0
    ) -> None:
        self.key = key
        self.keys = [key, *also]
        self.build = build
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: str | None = None
        self._checked_at = float("-inf")
        _registry.append(self)

    def get(self) -> T:
        value = self._value
        if value is not None and time.monotonic() - self._checked_at < self.recheck_seconds:
            return value
        if value is not None and not self._lock.acquire(blocking=False):
            return value
        if value is None:
            self._lock.acquire()
        try:
            try:
                version: str | None = "|".join(read_stamps(self.keys))
            except Exception:
                logger.warning(
                    "cannot read the stamp %s; keeping what this process has", self.key, exc_info=True
                )
                version = self._version
            if self._value is None or version != self._version:
                self._value = self.build()
                self._version = version
            self._checked_at = time.monotonic()
            return self._value
        finally:
            self._lock.release()

    @property
    def version(self) -> str:
        """The stamp the current value was built for (reading the value first, so it is up to date)."""
        self.get()
        return self._version or ""

    def changed(self) -> None:
        """Every process rebuilds on its next ``get`` (this one at once)."""
        bump_stamp(self.key)
        self.forget()

    def follow(self, *senders: type[Model], ignore_fields: Collection[str] = ()) -> None:
        """Announce a change whenever a row of ``senders`` is saved or deleted through the ORM (actions, the
        admin), inside the writer's transaction. A save that only touches ``ignore_fields`` (bookkeeping such as
        ``last_login``) is not a change. ``QuerySet.update`` sends no signal: code that uses it on these models
        calls ``changed`` itself."""
        ignored = frozenset(ignore_fields)

        def saved(sender: type[Model], update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
            if update_fields and ignored.issuperset(update_fields):
                return
            self.changed()

        def deleted(sender: type[Model], **kwargs: Any) -> None:
            self.changed()

        for sender in senders:
            uid = f"{self.key}:{sender._meta.label}"
            post_save.connect(saved, sender=sender, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(deleted, sender=sender, weak=False, dispatch_uid=f"{uid}:delete")

    def forget(self) -> None:
        """This process rebuilds on its next ``get``, whatever the stamp says."""
        with self._lock:
            self._value = None
            self._checked_at = float("-inf")


_registry: list[Stamped[Any]] = []


def forget_all(*, keep: Collection[str] = ()) -> None:
    """Every ``Stamped`` value of this process but those under the keys in ``keep`` is rebuilt on its next use
    (each test starts from its own data)."""
    for stamped in list(_registry):
        if stamped.key not in keep:
            stamped.forget()
