"""Outbound channels: email through Django's mail, signed webhooks to a local receiver, stubs, loading errors."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core import mail

from gridgov.notifications.actions import notify
from gridgov.notifications.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from gridgov.notifications.choices import DeliveryStatus, NotificationKind
from gridgov.notifications.models import Delivery
from gridgov.notifications.tasks import deliver
from gridgov.notifications.tests.conftest import RECORDING

pytestmark = pytest.mark.django_db

EMAIL = "gridgov.notifications.channels.EmailChannel"
WEBHOOK = "gridgov.notifications.channels.WebhookChannel"
SECRET = "webhook-test-secret"


def _send(actor, recipients, callbacks_fixture, **extra):
    with callbacks_fixture(execute=True):
        return notify(
            actor=actor,
            recipients=recipients,
            kind=NotificationKind.OVERDUE,
            title="案件 GG-20260514-0001 已超期",
            body="请尽快办结。",
            link="/cases/1/",
            **extra,
        )


def test_email_goes_to_recipients_with_an_address_and_skips_the_others(
    dispatcher, alice, bob, channels, django_capture_on_commit_callbacks
):
    channels(EMAIL, SITE_URL="https://grid.example.gov.cn/")
    rows = _send(dispatcher, [alice, bob], django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "案件 GG-20260514-0001 已超期"
    assert "请尽快办结。" in message.body
    assert "https://grid.example.gov.cn/cases/1/" in message.body
    statuses = {
        d.notification.recipient.username: d.status
        for d in Delivery.objects.select_related("notification__recipient")
    }
    assert statuses == {"alice": DeliveryStatus.SENT, "bob": DeliveryStatus.SKIPPED}
    assert Delivery.objects.get(notification=next(r for r in rows if r.recipient == bob)).last_error == (
        "the recipient has no email address"
    )


def test_webhook_body_is_signed_with_the_shared_secret(
    dispatcher, alice, channels, receiver, django_capture_on_commit_callbacks
):
    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=[f"{receiver.url}/hook"], NOTIFY_WEBHOOK_SECRET=SECRET)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks, target=alice)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body, headers = request["body"], request["headers"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == expected
    assert verify_signature(body, headers[SIGNATURE_HEADER], SECRET)
    assert not verify_signature(body, headers[SIGNATURE_HEADER], "another-secret")
    assert headers[TIMESTAMP_HEADER].isdigit()
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload == {
        "id": row.pk,
        "kind": "overdue",
        "title": "案件 GG-20260514-0001 已超期",
        "body": "请尽快办结。",
        "link": "/cases/1/",
        "target_type": "accounts.user",
        "target_id": str(alice.pk),
        "recipient": "alice",
        "created_at": row.created_at.isoformat(),
    }
    assert Delivery.objects.get(notification=row).status == DeliveryStatus.SENT


def test_a_failing_webhook_is_recorded_and_not_raised(
    dispatcher, alice, channels, receiver, django_capture_on_commit_callbacks
):
    channels(
        WEBHOOK,
        NOTIFY_WEBHOOK_URLS=[f"{receiver.url}/fail", f"{receiver.url}/ok"],
        NOTIFY_WEBHOOK_SECRET=SECRET,
    )
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)

    assert [r["path"] for r in receiver.requests] == ["/fail", "/ok"]  # one broken receiver starves no other
    delivery = Delivery.objects.get(notification=row)
    assert (delivery.channel, delivery.status, delivery.attempts) == ("webhook", DeliveryStatus.FAILED, 1)
    assert "/fail" in delivery.last_error and "500" in delivery.last_error


def test_webhooks_do_not_follow_redirects(
    dispatcher, alice, channels, receiver, django_capture_on_commit_callbacks
):
    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=[f"{receiver.url}/redirect"], NOTIFY_WEBHOOK_SECRET=SECRET)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)

    assert [r["path"] for r in receiver.requests] == ["/redirect"]
    delivery = Delivery.objects.get(notification=row)
    assert delivery.status == DeliveryStatus.FAILED
    assert "do not follow redirects" in delivery.last_error


def test_an_unreachable_webhook_fails_quickly(
    dispatcher, alice, channels, django_capture_on_commit_callbacks
):
    # Port 9 on the loopback (discard) is closed on test machines: connection refused at once.
    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=["http://127.0.0.1:9/"], NOTIFY_WEBHOOK_SECRET=SECRET)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    assert Delivery.objects.get(notification=row).status == DeliveryStatus.FAILED


def test_webhooks_are_not_sent_unsigned_or_to_other_schemes(
    dispatcher, alice, channels, django_capture_on_commit_callbacks
):
    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=["http://127.0.0.1:9/"], NOTIFY_WEBHOOK_SECRET="")
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    assert "NOTIFY_WEBHOOK_SECRET is empty" in Delivery.objects.get(notification=row).last_error

    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=["file:///etc/passwd"], NOTIFY_WEBHOOK_SECRET=SECRET)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    assert "only http and https" in Delivery.objects.get(notification=row).last_error


def test_webhook_without_urls_is_skipped(dispatcher, alice, channels, django_capture_on_commit_callbacks):
    channels(WEBHOOK, NOTIFY_WEBHOOK_URLS=[], NOTIFY_WEBHOOK_SECRET=SECRET)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    assert Delivery.objects.get(notification=row).status == DeliveryStatus.SKIPPED


@pytest.mark.parametrize(
    ("path", "name", "message"),
    [
        ("gridgov.notifications.channels.SmsChannel", "sms", "SmsChannel is an example"),
        ("gridgov.notifications.channels.WeComChannel", "wecom", "WeComChannel is an example"),
        (
            "gridgov.notifications.channels.NoSuchChannel",
            "gridgov.notifications.channels.NoSuchChannel",
            "cannot load",
        ),
        (
            "gridgov.notifications.models.Notification",
            "gridgov.notifications.models.Notification",
            "not a subclass",
        ),
    ],
)
def test_stubs_and_misconfigured_channels_fail_visibly(
    dispatcher, alice, channels, django_capture_on_commit_callbacks, path, name, message
):
    channels(path)
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(notification=row)
    assert (delivery.channel, delivery.status) == (name, DeliveryStatus.FAILED)
    assert message in delivery.last_error


def test_deliver_again_retries_failures_and_does_not_resend(
    dispatcher, alice, bob, channels, recording, django_capture_on_commit_callbacks
):
    channels(RECORDING, "gridgov.notifications.channels.SmsChannel")
    rows = _send(dispatcher, [alice, bob], django_capture_on_commit_callbacks)
    ids = [row.pk for row in rows]
    assert len(recording) == 2

    deliver(ids)  # e.g. a task queue retrying

    assert len(recording) == 2  # sent once, not again
    attempts = dict(Delivery.objects.filter(notification_id=ids[0]).values_list("channel", "attempts"))
    assert attempts == {"recording": 1, "sms": 2}


def test_a_runner_can_take_over_delivery(
    dispatcher, alice, channels, recording, django_capture_on_commit_callbacks
):
    channels(RECORDING, NOTIFY_DELIVER="gridgov.notifications.tests.test_channels.queue_instead")
    QUEUED.clear()
    (row,) = _send(dispatcher, [alice], django_capture_on_commit_callbacks)
    assert [[row.pk]] == QUEUED
    assert recording == []


QUEUED: list[list[int]] = []


def queue_instead(ids: list[int]) -> None:
    QUEUED.append(ids)
