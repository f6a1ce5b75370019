"""W3C date-times (the profile of ISO 8601 the GeoReport spec uses) in and out."""

from __future__ import annotations

from datetime import datetime, time, tzinfo
from functools import lru_cache

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def parse_w3c(value: str) -> datetime | None:
    """``2026-05-14T09:30:00+08:00``, ``…Z``, ``2026-05-14T09:30Z`` or a bare date (midnight, local time); a
    time without an offset is local time. None when the text is not such a date-time."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = datetime.combine(day, time.min)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def w3c(moment: datetime | None) -> str | None:
    """Local time with its offset, to the second: ``2026-05-14T09:30:00+08:00``."""
    if moment is None:
        return None
    # The site's zone (Asia/Shanghai), looked up once: lists format thousands of times per answer.
    return moment.astimezone(_site_zone()).isoformat(timespec="seconds")


@lru_cache(maxsize=1)
def _site_zone() -> tzinfo:
    return timezone.get_default_timezone()
