"""A case as a public GeoReport ``request``: no personal data.

* the description passes through ``mask_personal_text`` (phone and ID numbers); for the categories whose reports
  are about people (disputes, welfare, health, public order, legal and labour matters: ``public_description``
  false in data/services.json) and for tip-offs (举报) it is not shown at all;
* the address keeps the place and hides house numbers (``mask_address``);
* no reporter field, no staff name: ``agency_responsible`` is the lead department, else the grid or command
  center that holds the case (units, not people);
* lat/long as stored (WGS-84).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gridgov.cases.choices import CaseStatus, OwnerLevel, RequestType
from gridgov.cases.models import Category
from gridgov.core.bilingual import english_active
from gridgov.core.masking import mask_address, mask_personal_text
from gridgov.intake.open311.dates import w3c
from gridgov.intake.open311.selectors import CLOSED_STATUSES
from gridgov.intake.open311.services import service_info


def service_notice(category: Category | None) -> str:
    if category is None:
        return ""
    return _sla_notice(category.sla_working_days)


def _sla_notice(days: int | None) -> str:
    if days is None:
        return ""
    return _("Handled within %(days)d working days of acceptance.") % {"days": days}


class RequestFormatter:
    """Turns request rows (``selectors.REQUEST_COLUMNS``) into GeoReport requests; translations and per-service
    facts are looked up once per response, not once per row."""

    def __init__(self) -> None:
        self.english = english_active()
        self.status_labels = {value: str(label) for value, label in CaseStatus.choices}
        self.not_public = _("The description of this kind of request is not public.")
        self.merged = _("%(status)s: see the request it was merged into.") % {
            "status": self.status_labels[CaseStatus.MERGED]
        }
        self._public: dict[str, bool] = {}
        self._notices: dict[int | None, str] = {}
        self._centers: dict[str, str] = {}

    def _is_public(self, code: str | None, request_type: str) -> bool:
        if request_type == RequestType.TIP_OFF:
            return False
        key = code or ""
        if key not in self._public:
            self._public[key] = service_info(key).public_description
        return self._public[key]

    def _notice(self, days: int | None) -> str:
        if days not in self._notices:
            self._notices[days] = _sla_notice(days)
        return self._notices[days]

    def agency(self, row: dict[str, Any]) -> str:
        if row.get("agency"):
            return str(row["agency"])
        if row["owner_level"] == OwnerLevel.GRID:
            return str(row["owner_area__name"])
        area = row["owner_area__name"]
        if area not in self._centers:
            self._centers[area] = _("%(area)s command center") % {"area": area}
        return self._centers[area]

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        code = row["category__code"]
        name = row["category__name"] or ""
        if self.english and row["category__name_en"]:
            name = row["category__name_en"]
        status = row["status"]
        public = self._is_public(code, row["request_type"])
        media = row.get("media_url")
        return {
            "service_request_id": row["number"],
            "status": "closed" if status in CLOSED_STATUSES else "open",
            "status_notes": self.merged
            if status == CaseStatus.MERGED and row["merged_into_id"]
            else self.status_labels.get(status, status),
            "service_name": name,
            "service_code": code or "",
            "description": mask_personal_text(row["text"]) if public else self.not_public,
            "agency_responsible": self.agency(row),
            "service_notice": self._notice(row["category__sla_working_days"]),
            "requested_datetime": w3c(row["reported_at"]),
            "updated_datetime": w3c(row["updated_at"]),
            "expected_datetime": w3c(row["resolve_by"]),
            "address": mask_address(row["address"]),
            "address_id": row["grid__code"] or "",
            "zipcode": "",
            "lat": row["lat"],
            "long": row["lon"],
            "media_url": media if isinstance(media, str) else "",
        }


def request_payloads(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    formatter = RequestFormatter()
    return [formatter(row) for row in rows]
