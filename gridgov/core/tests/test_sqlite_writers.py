"""The SQLite backend queues writers of every process on a lock file beside the database (core/sqlite/base.py)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler


def _connection(path: Path, timeout: float = 2):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "gridgov.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
            }
        }
    )
    return handler["default"]


def _held_by_someone(lock_file: Path) -> bool:
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open SQLite files of their own, not the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "town.sqlite3"
    connection = _connection(path)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE report (id INTEGER PRIMARY KEY, text TEXT)")
    connection.close()
    return path


def _write(connection, text: str) -> None:
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO report (text) VALUES (%s)", [text])


def test_a_transaction_holds_the_lock_file_until_it_commits(database: Path):
    lock_file = Path(f"{database}.writelock")
    connection = _connection(database)
    _write(connection, "路灯不亮")
    assert _held_by_someone(lock_file)
    connection.commit()
    connection.set_autocommit(True)
    assert not _held_by_someone(lock_file)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM report")
        assert cursor.fetchall() == [("路灯不亮",)]
    connection.close()


def test_a_rollback_and_a_closed_connection_release_it(database: Path):
    lock_file = Path(f"{database}.writelock")
    connection = _connection(database)
    _write(connection, "rolled back")
    connection.rollback()
    connection.set_autocommit(True)
    assert not _held_by_someone(lock_file)
    _write(connection, "never committed")
    connection.close()
    assert not _held_by_someone(lock_file)


def test_a_writer_that_cannot_get_the_lock_file_goes_on_to_sqlite(database: Path):
    """A stuck lock file (held outside any SQLite transaction) delays writers by the timeout, never blocks them."""
    lock_file = Path(f"{database}.writelock")
    outsider = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(outsider, fcntl.LOCK_EX)
    try:
        connection = _connection(database, timeout=0.05)
        _write(connection, "written anyway")
        connection.commit()
        connection.set_autocommit(True)
        connection.close()
    finally:
        os.close(outsider)
    reader = _connection(database)
    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM report")
        assert cursor.fetchone() == (1,)
    reader.close()


def test_in_memory_databases_need_no_lock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    connection = _connection(Path(":memory:"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE report (id INTEGER PRIMARY KEY, text TEXT)")
    _write(connection, "kept in memory")
    connection.commit()
    connection.close()
    assert list(tmp_path.iterdir()) == []
