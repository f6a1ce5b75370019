"""Outbound channels: ways a notification leaves the platform besides the in-app inbox.

The inbox row is always written; ``settings.GRIDGOV["NOTIFY_CHANNELS"]`` lists the dotted paths of the channels
to try after the commit (default: none, in-app only). A channel is a class with a ``name`` and a ``send``
method that returns when the message was handed over and raises when it was not; ``deliver`` records each
outcome in a ``Delivery`` row. Towns plug in their own gateways (SMS, 企业微信) by subclassing ``Channel``; see
``docs/notifications.md`` and the two example stubs at the end of this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from email.message import Message

    from gridgov.notifications.models import Notification

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-GridGov-Signature"
TIMESTAMP_HEADER = "X-GridGov-Timestamp"


def setting(key: str, default: Any) -> Any:
    """One ``settings.GRIDGOV`` entry, with a default while the key is not in every settings file yet."""
    return settings.GRIDGOV.get(key, default)


class Skip(Exception):
    """Raised by ``Channel.send`` when there is nothing to send for this notification (no email address, no URL
    configured). Recorded as ``skipped``, not ``failed``, so the admin's failure list shows only real problems."""


class Channel:
    """Base of the outbound channels.

    Subclasses set ``name`` (short, unique among the configured channels: it names the ``Delivery`` rows) and
    implement ``send``. ``send`` runs after the transaction that wrote the notification has committed, outside
    any request the user waits for in a task-queue deployment, and inside it in the embedded default, so it must
    use short timeouts. Return normally on success, raise ``Skip`` when the channel does not apply, raise any
    other exception on failure (its text lands in ``Delivery.last_error``).
    """

    name: str = ""

    def send(self, notification: Notification) -> None:
        raise NotImplementedError(f"{type(self).__name__}.send() is not implemented")


def absolute_link(notification: Notification) -> str:
    """The notification's link as a full URL when ``GRIDGOV["SITE_URL"]`` is set, else the path (or "")."""
    if not notification.link:
        return ""
    base = str(setting("SITE_URL", "") or "").rstrip("/")
    return f"{base}{notification.link}" if base else notification.link


class EmailChannel(Channel):
    """Mail to the recipient's address through Django's mail settings (``EMAIL_*``); skipped without one."""

    name = "email"

    def send(self, notification: Notification) -> None:
        address = notification.recipient.email
        if not address:
            raise Skip("the recipient has no email address")
        # A subject is one header line: newlines in it would be refused by Django (header injection).
        subject = " ".join(notification.title.split())
        lines = [notification.body] if notification.body else []
        link = absolute_link(notification)
        if link.startswith(("http://", "https://")):
            lines.append(link)
        send_mail(subject, "\n\n".join(lines) or subject, None, [address], fail_silently=False)


def signature(body: bytes, secret: str) -> str:
    """The value of ``X-GridGov-Signature``: ``sha256=`` and the hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, header: str, secret: str) -> bool:
    """What a receiver does with ``X-GridGov-Signature`` (constant-time comparison)."""
    return hmac.compare_digest(signature(body, secret), header)


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """The JSON object posted to webhooks. Receivers should de-duplicate by ``id`` (a retry sends it again)."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": absolute_link(notification),
        "target_type": notification.target_type,
        "target_id": notification.target_id,
        "recipient": notification.recipient.get_username(),
        "created_at": notification.created_at.isoformat(),
    }


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers where it was asked: a redirect could point anywhere (another host, an internal
    address), and a POST turned into a GET after a redirect would not deliver anything anyway."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        raise urllib.error.HTTPError(
            req.full_url, code, f"redirected to {newurl}; webhooks do not follow redirects", headers, fp
        )


class WebhookChannel(Channel):
    """POST the notification as signed JSON to every URL of ``GRIDGOV["NOTIFY_WEBHOOK_URLS"]``.

    Headers: ``X-GridGov-Signature: sha256=<hex HMAC-SHA256 of the raw body with NOTIFY_WEBHOOK_SECRET>`` and
    ``X-GridGov-Timestamp`` (Unix seconds of the send). Any 2xx answer is success; redirects are refused, not
    followed. Every URL is tried; if any fails the channel fails with all the reasons, and a retry sends to
    every URL again (hence the advice to de-duplicate by ``id``).
    """

    name = "webhook"

    def send(self, notification: Notification) -> None:
        urls = [str(url) for url in setting("NOTIFY_WEBHOOK_URLS", []) if url]
        if not urls:
            raise Skip("no NOTIFY_WEBHOOK_URLS configured")
        secret = str(setting("NOTIFY_WEBHOOK_SECRET", "") or "")
        if not secret:
            # Unsigned messages could not be told apart from forged ones: refuse rather than send them.
            raise RuntimeError("NOTIFY_WEBHOOK_SECRET is empty; webhooks are not sent unsigned")
        timeout = float(setting("NOTIFY_WEBHOOK_TIMEOUT", 5))
        body = json.dumps(webhook_payload(notification), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "GridGov-Webhook/1",
            SIGNATURE_HEADER: signature(body, secret),
            TIMESTAMP_HEADER: str(int(time.time())),
        }
        opener = urllib.request.build_opener(_RefuseRedirects)
        errors: list[str] = []
        for url in urls:
            try:
                self._post(opener, url, body, headers, timeout)
            except Exception as exc:  # every URL is tried; one broken receiver does not starve the others
                errors.append(f"{url}: {exc}")
        if errors:
            raise RuntimeError("; ".join(errors))

    @staticmethod
    def _post(
        opener: urllib.request.OpenerDirector,
        url: str,
        body: bytes,
        headers: dict[str, str],
        timeout: float,
    ) -> None:
        if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
            raise ValueError("only http and https webhook URLs are allowed")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked
        with opener.open(request, timeout=timeout) as response:
            status = response.status
            response.read(1024)  # drain a little so the connection closes cleanly; the answer is not used
        if not 200 <= status < 300:
            raise RuntimeError(f"HTTP {status}")


class SmsChannel(Channel):
    """Example stub: text messages through the town's SMS gateway. Not enabled by default.

    A deployer subclasses it in their own module and lists that class in ``NOTIFY_CHANNELS``::

        class AliyunSms(SmsChannel):
            def send(self, notification):
                phone = notification.recipient.phone
                if not phone:
                    raise Skip("the recipient has no mobile phone number")
                my_gateway.send(phone, template="GRIDGOV_NOTICE", params={"title": notification.title})

    Gateways in China send only pre-approved templates (短信模板), so send the title and a short link, not the
    body. Raise on failure: the ``Delivery`` row and the log show it.
    """

    name = "sms"

    def send(self, notification: Notification) -> None:
        raise NotImplementedError(
            "SmsChannel is an example: subclass it, implement send() with your SMS gateway and list your class "
            "in GRIDGOV['NOTIFY_CHANNELS'] (see docs/notifications.md)"
        )


class WeComChannel(Channel):
    """Example stub: 企业微信 (WeChat Work). Not enabled by default.

    Two common set-ups: a group robot (群机器人, one webhook URL per group: POST ``{"msgtype": "text", "text":
    {"content": ...}}``), or an application message (应用消息) to a person, which needs the mapping from GridGov
    users to 企业微信 ``userid`` and an access token refreshed every two hours. Subclass, implement ``send``,
    list the class in ``NOTIFY_CHANNELS``; see ``docs/notifications.md``.
    """

    name = "wecom"

    def send(self, notification: Notification) -> None:
        raise NotImplementedError(
            "WeComChannel is an example: subclass it, implement send() for your 企业微信 robot or application "
            "and list your class in GRIDGOV['NOTIFY_CHANNELS'] (see docs/notifications.md)"
        )


class _UnloadableChannel(Channel):
    """Stands in for a configured path that cannot be loaded, so the mistake shows as failed deliveries in the
    admin (and in the log) instead of breaking the action that notified."""

    def __init__(self, path: str, problem: str) -> None:
        # The dotted path names the Delivery rows, so the admin says which configuration entry is wrong.
        self.name = path[:200]
        self.path, self.problem = path, problem

    def send(self, notification: Notification) -> None:
        raise RuntimeError(f"cannot load channel {self.path}: {self.problem}")


def channel_paths() -> list[str]:
    """The dotted paths of the configured outbound channels (empty: in-app only)."""
    return [str(path) for path in setting("NOTIFY_CHANNELS", []) if path]


def configured_channels() -> list[Channel]:
    """Instances of the configured channels, in order; broken entries become channels that always fail."""
    channels: list[Channel] = []
    seen: set[str] = set()
    for path in channel_paths():
        try:
            cls = import_string(path)
            if not (isinstance(cls, type) and issubclass(cls, Channel)):
                raise TypeError("not a subclass of gridgov.notifications.channels.Channel")
            channel: Channel = cls()
            if not channel.name:
                raise TypeError("the channel has no name")
            if channel.name in seen:
                raise TypeError(f"another configured channel is already named {channel.name!r}")
        except Exception as exc:
            logger.error("notification channel %s cannot be loaded: %s", path, exc)
            channel = _UnloadableChannel(path, str(exc))
        seen.add(channel.name)
        channels.append(channel)
    return channels
