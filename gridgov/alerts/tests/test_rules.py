"""Rules as data: parameter validation per kind, the default rules, and editing them in the admin."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from gridgov.alerts.defaults import install_default_rules
from gridgov.alerts.models import AlertRule
from gridgov.alerts.rules import defaults, validate_params
from gridgov.cases.models import Category
from gridgov.core.models import AuditEntry
from gridgov.testing.factories import UserFactory


def _problems(kind: str, params: object) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validate_params(kind, params)  # type: ignore[arg-type]
    return error.value.message_dict["params"]


def test_missing_parameters_take_their_defaults():
    assert validate_params("surge", {"k": 3}) == {**defaults("surge"), "k": 3.0}
    assert validate_params("urgent_cluster", None) == {
        "min_count": 3,
        "radius_m": 500,
        "window_hours": 2.0,
        "lookback_hours": 24.0,
        "include_merged": True,
    }
    assert defaults("repeat_dispute")["window_days"] == 30
    assert defaults("repeat_dispute")["distance_m"] == 100


def test_types_and_bounds_are_checked():
    assert _problems("surge", {"k": "2"}) == ["“k” must be a number."]
    assert _problems("surge", {"min_count": 0}) == ["“min_count” must lie between 1 and 10000."]
    assert _problems("surge", {"min_count": 2.5}) == ["“min_count” must be a whole number."]
    assert _problems("surge", {"include_merged": 1}) == ["“include_merged” must be true or false."]
    assert _problems("surge", {"levels": ["county"]}) == [
        "“levels” must be a non-empty list of: district, town, village, grid."
    ]
    assert _problems("urgent_cluster", {"radius": 500}) == [
        "Unknown parameter “radius”; this kind knows: min_count, radius_m, window_hours, lookback_hours, "
        "include_merged."
    ]
    assert _problems("repeat_dispute", []) == ["The parameters must be a JSON object."]
    assert validate_params("surge", {"min_count": 6.0, "levels": ["village", "town", "town"]})["levels"] == [
        "town",
        "village",
    ]


def test_unknown_kind():
    with pytest.raises(ValidationError) as error:
        validate_params("weather", {})
    assert list(error.value.message_dict) == ["kind"]


@pytest.mark.django_db
def test_default_rules(default_categories):
    AlertRule.objects.all().delete()
    install_default_rules(AlertRule, Category)
    rules = {rule.code: rule for rule in AlertRule.objects.all()}
    assert {code: (rule.kind, rule.severity, rule.is_active) for code, rule in rules.items()} == {
        "repeat_dispute": ("repeat_dispute", "medium", True),
        "surge": ("surge", "medium", True),
        "urgent_cluster": ("urgent_cluster", "high", True),
    }
    assert list(rules["repeat_dispute"].categories.values_list("code", flat=True)) == ["dispute"]
    assert rules["surge"].categories.count() == 0
    assert rules["surge"].params == defaults("surge")

    rules["surge"].params = {"min_count": 9}
    rules["surge"].save()
    install_default_rules(AlertRule, Category)  # a town's edits survive
    assert AlertRule.objects.get(code="surge").params == {"min_count": 9}
    assert AlertRule.objects.get(code="surge").settings["min_count"] == 9


@pytest.mark.django_db
def test_admin_edits_a_rule_with_validated_params(client, rules):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rule = rules["urgent_cluster"]
    url = f"/admin/alerts/alertrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": rule.name,
        "severity": "high",
        "is_active": "on",
        "params": json.dumps({"min_count": 1}),
        "area": "",
        "categories": [],
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "“min_count” must lie between 2 and 1000." in response.content.decode()

    form["params"] = json.dumps({"min_count": 4, "radius_m": 300})
    response = client.post(url, form)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (
        rule.params["min_count"] == 4
        and rule.params["radius_m"] == 300
        and rule.params["window_hours"] == 2.0
    )
    assert (
        AuditEntry.objects.filter(verb="update_alert_rule", target_id=str(rule.pk), actor=admin).count() == 1
    )
    assert client.post(f"/admin/alerts/alertrule/{rule.pk}/delete/").status_code == 403
