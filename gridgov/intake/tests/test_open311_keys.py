"""Open311 API keys: issuing (only the hash is kept, the raw key returned once), changing, the ``open311_key``
command and the admin (the key shown once in a message; submissions read-only)."""

from __future__ import annotations

import json
import logging
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.core.models import AuditEntry
from gridgov.intake.keys import issue_api_key, update_api_key
from gridgov.intake.models import ApiKey, Submission, hash_key
from gridgov.testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_issue_stores_only_the_hash_and_prefix_and_audits_without_the_secret(region):
    system = ensure_system_user()
    key, raw = issue_api_key(actor=system, name="街道App", jurisdiction=region.towns[0], contact="运维组")
    assert len(raw) >= 40
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.key_hash == hash_key(raw) and stored.prefix == raw[:8]
    assert raw not in {stored.key_hash, stored.prefix, stored.name, stored.contact}
    assert stored.jurisdiction == region.towns[0] and stored.created_by == system and stored.is_active
    entry = AuditEntry.objects.get(verb="issue_api_key")
    assert entry.actor == system and entry.target_id == str(key.pk)
    assert raw not in json.dumps(entry.data) + entry.summary
    assert stored.key_hash not in json.dumps(entry.data) + entry.summary
    # Two keys are never the same.
    assert issue_api_key(actor=system, name="other")[1] != raw


def test_issue_needs_an_administrator(region):
    dispatcher = UserFactory(username="dispatcher")
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    with pytest.raises(PermissionDenied):
        issue_api_key(actor=dispatcher, name="x")
    assert not ApiKey.objects.exists()


def test_issue_validates_name_and_jurisdiction(region):
    system = ensure_system_user()
    issue_api_key(actor=system, name="taken")
    with pytest.raises(ValidationError) as caught:
        issue_api_key(actor=system, name="taken")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError):
        issue_api_key(actor=system, name="  ")
    with pytest.raises(ValidationError) as caught:
        issue_api_key(actor=system, name="village", jurisdiction=region.villages[0])
    assert "jurisdiction" in caught.value.message_dict


def test_update_deactivates_and_is_audited(region):
    system = ensure_system_user()
    key = issue_api_key(actor=system, name="app")[0]
    update_api_key(actor=system, key=key, changes={"is_active": False, "contact": "新联系人"})
    key.refresh_from_db()
    assert not key.is_active and key.contact == "新联系人"
    entry = AuditEntry.objects.get(verb="update_api_key")
    assert entry.data["is_active"] is False
    with pytest.raises(ValidationError):
        update_api_key(actor=system, key=key, changes={"key_hash": "x"})


# --- the command ---------------------------------------------------------------------------------------------------


def test_command_prints_a_working_key_and_logs_nothing_secret(client, region, caplog):
    out = StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command(
            "open311_key", "市民通", "--jurisdiction", region.towns[0].code, "--contact", "张工", stdout=out
        )
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1].strip()
    key = ApiKey.objects.get(name="市民通")
    assert key.key_hash == hash_key(raw)
    assert key.jurisdiction == region.towns[0] and key.contact == "张工"
    assert key.created_by is not None and key.created_by.username == settings.GRIDGOV["SYSTEM_USERNAME"]
    assert raw not in caplog.text
    assert raw not in json.dumps(list(AuditEntry.objects.values_list("summary", "data")), ensure_ascii=False)
    # The printed key works.
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": raw, "service_code": "other", "lat": "32.205", "long": "120.905", "description": "建议"},
    )
    assert response.status_code == 201, response.content


def test_command_finds_the_jurisdiction_by_case_prefix(region):
    region.towns[1].case_prefix = "SG"
    region.towns[1].save()
    call_command("open311_key", "石港App", "--jurisdiction", "SG", stdout=StringIO())
    assert ApiKey.objects.get(name="石港App").jurisdiction == region.towns[1]


def test_command_refuses_unknown_jurisdiction_and_duplicate_names(region):
    with pytest.raises(CommandError):
        call_command("open311_key", "x", "--jurisdiction", "atlantis", stdout=StringIO())
    call_command("open311_key", "dup", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "dup", stdout=StringIO())
    assert ApiKey.objects.filter(name="dup").count() == 1


# --- the admin -----------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, region):
    user = UserFactory.create(username="key-admin", is_staff=True)
    grant(user, Role.ADMIN)
    client.force_login(user)
    client.user = user
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_admin_add_generates_the_key_and_shows_it_once(admin_client, region):
    response = admin_client.post(
        "/admin/intake/apikey/add/",
        {"name": "网格App", "jurisdiction": region.towns[0].pk, "contact": "李工"},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="网格App")
    page = response.content.decode()
    raws = re.findall(r"<code>([^<]+)</code>", page)
    assert len(raws) == 1 and key.key_hash == hash_key(raws[0]) and key.prefix == raws[0][:8]
    assert key.created_by == admin_client.user and key.jurisdiction == region.towns[0]
    assert AuditEntry.objects.filter(verb="issue_api_key", target_id=str(key.pk)).exists()
    # Afterwards the key is never shown again: the pages have the prefix only.
    for url in (f"/admin/intake/apikey/{key.pk}/change/", "/admin/intake/apikey/"):
        page = admin_client.get(url).content.decode()
        assert raws[0] not in page and key.prefix in page


def test_admin_change_goes_through_the_action(admin_client, region):
    key = issue_api_key(actor=ensure_system_user(), name="app")[0]
    response = admin_client.post(
        f"/admin/intake/apikey/{key.pk}/change/", {"contact": "新联系人", "is_active": "", "jurisdiction": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    key.refresh_from_db()
    assert not key.is_active and key.contact == "新联系人"
    assert AuditEntry.objects.filter(verb="update_api_key", actor=admin_client.user).exists()
    assert admin_client.get("/admin/intake/apikey/").status_code == 200


def test_admin_keys_are_for_administrators_only(client, region):
    user = UserFactory.create(username="staff-dispatcher", is_staff=True)
    grant(user, Role.DISPATCHER, area=region.towns[0])
    client.force_login(user)
    assert client.get("/admin/intake/apikey/").status_code == 403
    assert client.get("/admin/intake/apikey/add/").status_code == 403


def test_admin_submissions_are_read_only_and_mask_the_email(admin_client, region):
    raw = issue_api_key(actor=ensure_system_user(), name="app")[1]
    admin_client.post(
        "/open311/v2/requests.json",
        {
            "api_key": raw,
            "service_code": "other",
            "lat": "32.205",
            "long": "120.905",
            "description": "建议",
            "email": "zhangsan@example.com",
        },
    )
    submission = Submission.objects.get()
    assert admin_client.get("/admin/intake/submission/").status_code == 200
    page = admin_client.get(f"/admin/intake/submission/{submission.pk}/change/").content.decode()
    assert "zhangsan@example.com" not in page and "z***@example.com" in page
    assert submission.tracking_secret not in page
    assert admin_client.get("/admin/intake/submission/add/").status_code == 403
    assert admin_client.post(f"/admin/intake/submission/{submission.pk}/delete/").status_code == 403
