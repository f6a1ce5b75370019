"""Fixtures of the notification tests: users, a channel that records what it sends, a local webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gridgov.notifications.channels import Channel
from gridgov.testing.factories import UserFactory


class RecordingChannel(Channel):
    """Remembers the ids it was asked to send (class-level, reset by the fixture)."""

    name = "recording"
    sent: list[int] = []

    def send(self, notification: Any) -> None:
        RecordingChannel.sent.append(notification.pk)


class BrokenChannel(Channel):
    name = "broken"

    def send(self, notification: Any) -> None:
        raise ConnectionError("gateway down")


RECORDING = "gridgov.notifications.tests.conftest.RecordingChannel"
BROKEN = "gridgov.notifications.tests.conftest.BrokenChannel"


@pytest.fixture
def recording() -> Iterator[list[int]]:
    RecordingChannel.sent = []
    yield RecordingChannel.sent
    RecordingChannel.sent = []


@pytest.fixture
def channels(settings):
    """``channels(path, …, **extra)`` sets NOTIFY_CHANNELS (and other GRIDGOV keys) for one test."""

    def configure(*paths: str, **extra: Any) -> None:
        settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFY_CHANNELS": list(paths), **extra}

    return configure


@pytest.fixture
def dispatcher(db):
    return UserFactory.create(username="dispatcher", email="dispatcher@example.org")


@pytest.fixture
def alice(db):
    return UserFactory.create(username="alice", email="alice@example.org")


@pytest.fixture
def bob(db):
    return UserFactory.create(username="bob", email="")


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        # headers stay an email.message.Message: names are case-insensitive, as in HTTP
        self.receiver.requests.append({"path": self.path, "headers": self.headers, "body": body})
        if self.path.startswith("/fail"):
            self.send_response(500)
        elif self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", f"{self.receiver.url}/ok-after-redirect")
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 (a free port), in a thread; no proxy in between."""
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    result = Receiver(url=f"http://127.0.0.1:{server.server_port}")
    _Handler.receiver = result
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield result
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
