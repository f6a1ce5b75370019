"""The three detectors: read cases, return the situations (``Finding``) a rule sees at a moment. They write nothing.

* ``repeat_dispute``: reports of the rule's categories (default: 矛盾纠纷) related to an earlier one by the same
  parties or the same place, reported again within the window. Related pairs come from buckets (same phone, same
  name, same village, same grid, neighbouring map cells), never from comparing every pair of reports.
* ``surge``: per area (towns and villages by default) and category, the count of the last window against the
  counts of the previous windows, from one SQL GROUP BY with a filtered COUNT per window.
* ``urgent_cluster``: at least ``min_count`` urgent reports within ``radius_m`` of one of them and in the
  ``window_hours`` before it.

Parties are matched only on what the data says plainly: the reporter's phone (digits), the reporter's name when it
is distinctive (not "匿名", not a surname with 先生/女士…), and one report's reporter named literally in the other
report's text inside the same village. Names of other people in the texts are not extracted (no named-entity
recognition); staff phones and names are ignored, since staff enter reports for others.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.alerts.choices import RuleKind
from gridgov.alerts.models import AlertRule
from gridgov.cases.choices import CaseStatus, Priority
from gridgov.cases.models import Case, Category
from gridgov.core.scope import path_prefixes
from gridgov.geo.choices import AreaLevel
from gridgov.geo.geometry import METRES_PER_DEGREE, distance_m
from gridgov.geo.models import Area


@dataclass
class Finding:
    """A situation one rule sees now: the cases that show it, the area it is about and the words for it.

    ``key`` names the situation for deduplication. Repeat disputes and clusters are also recognised by shared
    cases (``by_evidence``), since their key (the first case) can fall out of the scan window while the situation
    goes on; a surge is recognised by its key (area and category) only, and after it is closed it is not raised
    again for ``cooldown_days``.
    """

    rule: AlertRule
    key: str
    area: Area
    case_ids: list[int]
    title: str
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    by_evidence: bool = True
    cooldown_days: int = 0


# --- Shared helpers ----------------------------------------------------------------------------------------------


def rule_cases(rule: AlertRule, params: dict[str, Any], *, within: Area | None) -> QuerySet[Case]:
    """The cases a rule looks at: its categories, its area and the scanned area, rejected reports left out (and
    merged duplicates too unless ``include_merged``)."""
    excluded = [CaseStatus.REJECTED] if params["include_merged"] else [CaseStatus.REJECTED, CaseStatus.MERGED]
    cases = Case.objects.exclude(status__in=excluded)
    for area in (rule.area, within):
        if area is not None:
            cases = cases.filter(area_path__within=area.path)
    category_ids = [category.pk for category in rule.categories.all()]
    if category_ids:
        cases = cases.filter(category_id__in=category_ids)
    return cases


def common_area(paths: Iterable[str]) -> Area | None:
    """The smallest area that contains every path (the common ancestor of the cases)."""
    split = [[code for code in path.split("/") if code] for path in paths]
    if not split:
        return None
    common: list[str] = []
    for codes in zip(*split, strict=False):
        if any(code != codes[0] for code in codes):
            break
        common.append(codes[0])
    if not common:
        return None
    prefixes = path_prefixes("/" + "/".join(common) + "/")
    return Area.objects.filter(path__in=prefixes).order_by("-path").first()


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _number(value: float) -> str:
    """1.0 → "1", 2.345 → "2.35" (figures in titles and summaries)."""
    rounded = round(value, 2)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        result: dict[int, list[int]] = defaultdict(list)
        for item in self.parent:
            result[self.find(item)].append(item)
        return list(result.values())


@dataclass(frozen=True)
class _Point:
    pk: int
    lat: float
    lon: float


def near_pairs(points: list[_Point], radius_m: float) -> Iterator[tuple[int, int]]:
    """Every pair of points at most ``radius_m`` apart (pk order), via map cells of about ``radius_m``: each point
    is compared with those of its own and the eight neighbouring cells only."""
    if not points or radius_m <= 0:
        return
    cell_lat = radius_m / METRES_PER_DEGREE
    widest = max(abs(point.lat) for point in points)
    cell_lon = cell_lat / max(math.cos(math.radians(min(widest + cell_lat, 89.0))), 0.01)
    cells: dict[tuple[int, int], list[_Point]] = defaultdict(list)
    for point in points:
        cells[(math.floor(point.lat / cell_lat), math.floor(point.lon / cell_lon))].append(point)
    for (row, col), members in cells.items():
        for d_row in (-1, 0, 1):
            for d_col in (-1, 0, 1):
                for other in cells.get((row + d_row, col + d_col), ()):
                    for point in members:
                        if point.pk < other.pk and (
                            distance_m(point.lat, point.lon, other.lat, other.lon) <= radius_m
                        ):
                            yield point.pk, other.pk


# --- Repeat dispute ----------------------------------------------------------------------------------------------

#: Reporter names that say nothing about who the person is.
GENERIC_NAMES = {
    "匿名",
    "匿名用户",
    "无名",
    "村民",
    "居民",
    "群众",
    "市民",
    "热心市民",
    "网友",
    "住户",
    "业主",
}
#: A surname with one of these is shared by too many people to identify a party (王先生, 李女士…).
HONORIFICS = ("先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大姐", "老师", "同志", "老板")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_phone(phone: str) -> str:
    """Digits only, without the +86 / 0086 country prefix; "" when too short to identify anyone."""
    digits = re.sub(r"\D", "", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    return digits if len(digits) >= 7 else ""


def distinctive_name(name: str) -> str:
    """The reporter's name when it can identify a person, else "" (anonymous, generic or surname + honorific)."""
    name = _NOT_WORD.sub("", unicodedata.normalize("NFKC", name or ""))
    if len(name) < 2 or name in GENERIC_NAMES or name.endswith(HONORIFICS):
        return ""
    return name


def normalize_address(address: str) -> str:
    """Lower case, full-width folded, spaces and punctuation removed."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", address or "").lower())


def address_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two normalised addresses (1.0: the same address)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return _dice(_bigrams(a), _bigrams(b))


#: Addresses shorter than this (normalised) are too vague to compare ("村口", "路边").
MIN_ADDRESS_LENGTH = 4

#: Why two reports were related, as stored in ``Alert.data["reasons"]``.
REASONS = ("phone", "name", "name_in_text", "place", "address")


def reason_labels(reasons: Iterable[str], params: dict[str, Any]) -> list[str]:
    labels = {
        "phone": _("same reporter phone"),
        "name": _("same reporter name"),
        "name_in_text": _("one reporter named in another report"),
        "place": _("within %(metres)d m") % {"metres": params.get("distance_m", 0)},
        "address": _("same grid and similar address"),
    }
    return [str(labels[reason]) for reason in REASONS if reason in set(reasons)]


#: A phone or name shared by more reports than this in the period identifies no party (a relay number, an
#: institution, a common name): such buckets are skipped rather than relating all their reports to each other.
MAX_PARTY_REPORTS = 20


@dataclass
class _Report:
    pk: int
    number: str
    at: datetime
    lat: float | None
    lon: float | None
    grid_id: int | None
    area_path: str
    address: str  # as written, for the title
    place: str  # normalised address
    phone: str
    name: str
    text: str
    grams: frozenset[str] = frozenset()


def _staff_identities() -> tuple[set[str], set[str]]:
    """Phones and names of staff accounts: staff enter reports for residents, so these identify no party."""
    staff = User.objects.filter(is_active=True, grants__isnull=False).exclude(
        grants__role__in=[Role.RESIDENT, Role.VOLUNTEER]
    )
    phones, names = set(), set()
    for phone, name in staff.values_list("phone", "name").distinct():
        if normalize_phone(phone):
            phones.add(normalize_phone(phone))
        if distinctive_name(name):
            names.add(distinctive_name(name))
    return phones, names


def _bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


class _Pairs:
    """Related pairs of reports (earlier, later) with the reasons, kept only when the later one is a repeat."""

    def __init__(self, reports: dict[int, _Report], *, now: datetime, window: timedelta, min_gap: timedelta):
        self.reports, self.window, self.min_gap = reports, window, min_gap
        self.recent = now - window
        self.found: dict[tuple[int, int], set[str]] = defaultdict(set)

    def relate(self, a: int, b: int, reason: str) -> None:
        first, second = self.reports[a], self.reports[b]
        if (second.at, second.pk) < (first.at, first.pk):
            first, second = second, first
        gap = second.at - first.at
        # "Reported again": the later report is recent (earlier ones were seen by earlier scans) and far enough
        # from the earlier one not to be the same incident reported twice.
        if self.min_gap <= gap <= self.window and second.at > self.recent:
            self.found[(first.pk, second.pk)].add(reason)

    def within_buckets(self, key_of: Any, reason: str) -> None:
        buckets: dict[Any, list[int]] = defaultdict(list)
        for report in self.reports.values():
            key = key_of(report)
            if key:
                buckets[key].append(report.pk)
        for members in buckets.values():
            if len(members) > MAX_PARTY_REPORTS:
                continue
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    self.relate(a, b, reason)


def detect_repeat_dispute(rule: AlertRule, *, now: datetime, within: Area | None = None) -> list[Finding]:
    params = rule.settings
    window = timedelta(days=params["window_days"])
    rows = (
        rule_cases(rule, params, within=within)
        .filter(reported_at__gt=now - 2 * window, reported_at__lte=now)
        .values_list(
            "pk",
            "number",
            "reported_at",
            "lat",
            "lon",
            "grid_id",
            "area_path",
            "address",
            "reporter_phone",
            "reporter_name",
            "text",
        )
    )
    staff_phones, staff_names = _staff_identities()
    reports: dict[int, _Report] = {}
    for pk, number, at, lat, lon, grid_id, area_path, address, phone, name, text in rows:
        phone = normalize_phone(phone) if params["match_phone"] else ""
        name = distinctive_name(name) if params["match_names"] else ""
        place = normalize_address(address)
        reports[pk] = _Report(
            pk,
            number,
            at,
            lat,
            lon,
            grid_id,
            area_path,
            (address or "").strip(),
            place,
            "" if phone in staff_phones else phone,
            "" if name in staff_names else name,
            text or "",
            _bigrams(place) if len(place) >= MIN_ADDRESS_LENGTH else frozenset(),
        )
    if len(reports) < 2:
        return []

    pairs = _Pairs(reports, now=now, window=window, min_gap=timedelta(hours=params["min_gap_hours"]))
    if params["match_phone"]:
        pairs.within_buckets(lambda r: r.phone, "phone")
    if params["match_names"]:
        pairs.within_buckets(lambda r: r.name, "name")
        _names_in_texts(reports, pairs)
    if params["distance_m"] > 0:
        points = [
            _Point(r.pk, r.lat, r.lon) for r in reports.values() if r.lat is not None and r.lon is not None
        ]
        for a, b in near_pairs(points, params["distance_m"]):
            pairs.relate(a, b, "place")
    if params["match_address"]:
        _similar_addresses(reports, pairs, params["address_similarity"])

    groups = _UnionFind()
    for a, b in pairs.found:
        groups.union(a, b)
    by_group: dict[int, list[tuple[tuple[int, int], set[str]]]] = defaultdict(list)
    for key, reasons in pairs.found.items():
        by_group[groups.find(key[0])].append((key, reasons))
    findings = []
    for group in groups.groups():
        if len(group) < params["min_reports"]:
            continue
        chosen = sorted((reports[pk] for pk in group), key=lambda r: (r.at, r.pk))
        finding = _repeat_finding(rule, params, chosen, sorted(by_group[groups.find(group[0])]))
        if finding is not None:
            findings.append(finding)
    return findings


def _names_in_texts(reports: dict[int, _Report], pairs: _Pairs) -> None:
    """Relate a report whose text names another report's reporter, inside the same village or community."""
    paths = {report.area_path for report in reports.values()}
    villages = set(
        Area.objects.filter(
            level=AreaLevel.VILLAGE, path__in={p for path in paths for p in path_prefixes(path)}
        ).values_list("path", flat=True)
    )
    by_village: dict[str, list[_Report]] = defaultdict(list)
    for report in reports.values():
        village = next((p for p in path_prefixes(report.area_path) if p in villages), report.area_path)
        by_village[village].append(report)
    for members in by_village.values():
        for name in {report.name for report in members if report.name}:
            named = [report for report in members if report.name == name]
            mentioning = [other for other in members if name in other.text]
            if len(named) + len(mentioning) > MAX_PARTY_REPORTS:
                continue
            for report in named:
                for other in mentioning:
                    if other.pk != report.pk:
                        pairs.relate(report.pk, other.pk, "name_in_text")


def _similar_addresses(reports: dict[int, _Report], pairs: _Pairs, threshold: float) -> None:
    """Relate reports of the same grid whose addresses are alike (bigram Dice ≥ ``threshold``)."""
    by_grid: dict[int, list[_Report]] = defaultdict(list)
    for report in reports.values():
        if report.grid_id is not None and report.grams:
            by_grid[report.grid_id].append(report)
    for same_grid in by_grid.values():
        for i, one in enumerate(same_grid):
            for other in same_grid[i + 1 :]:
                if one.place == other.place or _dice(one.grams, other.grams) >= threshold:
                    pairs.relate(one.pk, other.pk, "address")


def _repeat_finding(
    rule: AlertRule,
    params: dict[str, Any],
    chosen: list[_Report],
    own_pairs: list[tuple[tuple[int, int], set[str]]],
) -> Finding | None:
    ids = {report.pk for report in chosen}
    area = common_area(report.area_path for report in chosen)
    if area is None:
        return None
    reasons = sorted({reason for _key, found in own_pairs for reason in found}, key=REASONS.index)
    numbers = {report.pk: report.number for report in chosen}
    place = next((r.address for r in reversed(chosen) if r.address), "") or area.name
    first, last = chosen[0].at, chosen[-1].at
    return Finding(
        rule=rule,
        key=f"repeat:{min(ids)}",
        area=area,
        case_ids=[report.pk for report in chosen],
        title=_("Dispute reported %(count)d times: %(place)s") % {"count": len(chosen), "place": place},
        summary=_("%(count)d related dispute reports from %(first)s to %(last)s (%(reasons)s).")
        % {
            "count": len(chosen),
            "first": local(first),
            "last": local(last),
            "reasons": _("; ").join(reason_labels(reasons, params)),
        },
        data={
            "count": len(chosen),
            "first": first.isoformat(),
            "last": last.isoformat(),
            "reasons": reasons,
            "distance_m": params["distance_m"],
            "pairs": [
                [numbers[a], numbers[b], sorted(found, key=REASONS.index)] for (a, b), found in own_pairs[:50]
            ],
        },
    )


# --- Surge -------------------------------------------------------------------------------------------------------


def detect_surge(rule: AlertRule, *, now: datetime, within: Area | None = None) -> list[Finding]:
    params = rule.settings
    window = timedelta(days=params["window_days"])
    periods = params["baseline_periods"]
    # One row per (leaf area path, category) with a count per window: w0 is the current window, w1… the previous.
    windows = {
        f"w{index}": Count(
            "pk", filter=Q(reported_at__gt=now - (index + 1) * window, reported_at__lte=now - index * window)
        )
        for index in range(periods + 1)
    }
    rows = (
        rule_cases(rule, params, within=within)
        .filter(category__isnull=False, reported_at__gt=now - (periods + 1) * window, reported_at__lte=now)
        .values("area_path", "category_id")
        .annotate(**windows)
        .order_by()
    )
    scope = [area.path for area in (rule.area, within) if area is not None]
    areas = Area.objects.filter(level__in=params["levels"], is_active=True)
    for path in scope:
        areas = areas.filter(path__within=path)
    by_path = {area.path: area for area in areas}
    totals: dict[tuple[str, int], list[int]] = {}
    for row in rows:
        counts = [row[f"w{index}"] for index in range(periods + 1)]
        for prefix in path_prefixes(row["area_path"]):
            if prefix in by_path:
                total = totals.setdefault((prefix, row["category_id"]), [0] * (periods + 1))
                for index, count in enumerate(counts):
                    total[index] += count
    categories = Category.objects.in_bulk({category for _path, category in totals})
    findings = []
    for (path, category_id), counts in sorted(totals.items()):
        current, baseline = counts[0], counts[1:]
        mean = statistics.fmean(baseline)
        sd = statistics.pstdev(baseline)
        threshold = round(max(params["min_count"], mean + params["k"] * sd), 6)
        if current < threshold:
            continue
        area, category = by_path[path], categories[category_id]
        case_ids = list(
            rule_cases(rule, params, within=within)
            .filter(
                area_path__within=path,
                category_id=category_id,
                reported_at__gt=now - window,
                reported_at__lte=now,
            )
            .order_by("reported_at", "pk")
            .values_list("pk", flat=True)
        )
        figures = {"count": current, "days": params["window_days"], "periods": periods}
        findings.append(
            Finding(
                rule=rule,
                key=f"surge:{area.code}:{category.code}",
                area=area,
                case_ids=case_ids,
                title=_("Surge of %(category)s in %(area)s: %(count)d reports in %(days)d days")
                % {**figures, "category": category.display_name, "area": area.name},
                summary=_(
                    "%(count)d reports in the last %(days)d days; the previous %(periods)d periods had %(mean)s "
                    "on average (standard deviation %(sd)s), so the threshold was %(threshold)s."
                )
                % {**figures, "mean": _number(mean), "sd": _number(sd), "threshold": _number(threshold)},
                data={
                    **figures,
                    "category": category.code,
                    "baseline": baseline,
                    "mean": round(mean, 4),
                    "sd": round(sd, 4),
                    "threshold": threshold,
                },
                by_evidence=False,
                cooldown_days=params["cooldown_days"],
            )
        )
    return findings


# --- Urgent cluster ----------------------------------------------------------------------------------------------


def detect_urgent_cluster(rule: AlertRule, *, now: datetime, within: Area | None = None) -> list[Finding]:
    params = rule.settings
    window = timedelta(hours=params["window_hours"])
    lookback = timedelta(hours=params["lookback_hours"])
    rows = (
        rule_cases(rule, params, within=within)
        .filter(
            priority=Priority.URGENT,
            lat__isnull=False,
            lon__isnull=False,
            reported_at__gt=now - lookback - window,
            reported_at__lte=now,
        )
        .values_list("pk", "reported_at", "lat", "lon", "area_path", "address")
    )
    reports: dict[int, tuple[datetime, float, float, str, str]] = {
        pk: (at, lat, lon, path, address)
        for pk, at, lat, lon, path, address in rows
        if lat is not None and lon is not None
    }
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in near_pairs([_Point(pk, r[1], r[2]) for pk, r in reports.items()], params["radius_m"]):
        neighbours[a].add(b)
        neighbours[b].add(a)
    groups = _UnionFind()
    for pk, (at, *_rest) in reports.items():
        if at <= now - lookback:
            continue  # only as company of a later report: its own cluster was the business of earlier scans
        company = {other for other in neighbours[pk] if at - window <= reports[other][0] <= at}
        if len(company) + 1 >= params["min_count"]:
            for other in company:
                groups.union(pk, other)
    findings = []
    for members in groups.groups():
        chosen = sorted(members, key=lambda pk: (reports[pk][0], pk))
        area = common_area(reports[pk][3] for pk in chosen)
        if area is None:
            continue
        place = next((reports[pk][4] for pk in chosen if reports[pk][4]), "") or area.name
        first, last = reports[chosen[0]][0], reports[chosen[-1]][0]
        figures = {
            "count": len(chosen),
            "radius": params["radius_m"],
            "hours": _number(params["window_hours"]),
        }
        findings.append(
            Finding(
                rule=rule,
                key=f"cluster:{min(chosen)}",
                area=area,
                case_ids=chosen,
                title=_("%(count)d urgent reports within %(radius)d m in %(hours)s hours: %(place)s")
                % {**figures, "place": place},
                summary=_("Urgent reports close together from %(first)s to %(last)s near %(place)s.")
                % {"first": local(first), "last": local(last), "place": place},
                data={
                    "count": len(chosen),
                    "radius_m": params["radius_m"],
                    "window_hours": params["window_hours"],
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                },
            )
        )
    return findings


DETECTORS = {
    RuleKind.REPEAT_DISPUTE: detect_repeat_dispute,
    RuleKind.SURGE: detect_surge,
    RuleKind.URGENT_CLUSTER: detect_urgent_cluster,
}


def detect(rule: AlertRule, *, now: datetime, within: Area | None = None) -> list[Finding]:
    """The situations ``rule`` sees at ``now`` (in ``within`` when given), outer areas first."""
    findings = DETECTORS[RuleKind(rule.kind)](rule, now=now, within=within)
    return sorted(findings, key=lambda finding: (finding.area.path, finding.key))
