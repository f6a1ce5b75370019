"""The rules a new installation starts with (the data migration creates them once; towns tune them in the admin).

Plain data, so that the migration (with historical models) and the tests' fixture share it.
"""

from __future__ import annotations

from typing import Any

from gridgov.alerts.rules import defaults

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "code": "repeat_dispute",
        "name": "矛盾纠纷反复",
        "kind": "repeat_dispute",
        "severity": "medium",
        "categories": ["dispute"],
        "params": defaults("repeat_dispute"),
    },
    {
        "code": "surge",
        "name": "类别激增",
        "kind": "surge",
        "severity": "medium",
        "categories": [],
        "params": defaults("surge"),
    },
    {
        "code": "urgent_cluster",
        "name": "紧急事件聚集",
        "kind": "urgent_cluster",
        "severity": "high",
        "categories": [],
        "params": defaults("urgent_cluster"),
    },
]


def install_default_rules(rule_model: Any, category_model: Any) -> None:
    """Create the default rules that do not exist yet (by code); existing rules keep a town's edits."""
    for entry in DEFAULT_RULES:
        rule, created = rule_model.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "kind": entry["kind"],
                "severity": entry["severity"],
                "params": entry["params"],
            },
        )
        if created and entry["categories"]:
            rule.categories.set(category_model.objects.filter(code__in=entry["categories"]))
