"""Topics (专题): the four defaults, what a topic selects (category, keywords, areas, season), the topic pages with
their trend, the JSON endpoints filtered by a topic, and editing topics in the admin."""

from __future__ import annotations

import importlib
from datetime import date, datetime

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from gridgov.cases.choices import AlertLevel, CaseStatus, Priority
from gridgov.cases.models import Case, Category
from gridgov.command.models import Topic
from gridgov.command.periods import Period
from gridgov.command.selectors import overview as overview_selectors
from gridgov.command.selectors.topics import (
    active_topics,
    season_q,
    topic_cards,
    topic_q,
    trend,
    trend_buckets,
)
from gridgov.command.tests.test_overview_data import NOW, SHANGHAI, make_case, make_region
from gridgov.core.models import AuditEntry

pytestmark = pytest.mark.django_db

default_topics_migration = importlib.import_module("gridgov.command.migrations.0002_default_topics")


@pytest.fixture
def topics(default_categories) -> dict[str, Topic]:
    """The default topics as the data migration makes them (again: a transactional test may have flushed them)."""
    default_topics_migration.load_default_topics(django_apps, None)
    return {topic.code: topic for topic in Topic.objects.all()}


def at(month: int, day: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=SHANGHAI)


def matching(topic: Topic) -> set[int]:
    return set(Case.objects.filter(topic_q(topic)).values_list("pk", flat=True))


def test_the_four_default_topics(topics):
    assert list(Topic.objects.values_list("code", flat=True)) == ["river", "straw", "dispute", "safety"]
    categories = {code: sorted(t.categories.values_list("code", flat=True)) for code, t in topics.items()}
    assert categories == {
        "river": ["water"],
        "straw": ["agriculture"],
        "dispute": ["dispute"],
        "safety": ["safety"],
    }
    straw = topics["straw"]
    assert (straw.keywords, straw.season_months) == (["秸秆", "焚烧", "烧"], [5, 6, 10, 11])
    assert (straw.name, straw.name_en) == ("秸秆禁烧", "Straw burning ban")
    # running it again changes nothing, and a town's edit survives
    Topic.objects.filter(code="river").update(name="河长制")
    default_topics_migration.load_default_topics(django_apps, None)
    assert Topic.objects.count() == 4 and Topic.objects.get(code="river").name == "河长制"


def test_topic_filters_by_category(topics):
    region = make_region()
    grid = region.tree.grids[0]
    water = make_case(grid, category=Category.objects.get(code="water"), title="河道漂浮物")
    make_case(grid, category=Category.objects.get(code="road"))
    make_case(grid)  # no category yet
    dispute = make_case(grid, category=Category.objects.get(code="dispute"))

    assert matching(topics["river"]) == {water.pk}
    assert matching(topics["dispute"]) == {dispute.pk}
    assert matching(topics["safety"]) == set()


def test_topic_filters_by_keywords_and_season(topics):
    region = make_region()
    grid = region.tree.grids[0]
    farm = Category.objects.get(code="agriculture")
    burning = make_case(grid, category=farm, title="焚烧秸秆", text="田里有人烧秸秆", at=at(11))
    in_text = make_case(grid, category=farm, title="浓烟", text="有人在田里烧东西", at=at(6, 2))
    make_case(grid, category=farm, title="灌溉渠堵塞", text="渠道堵了", at=at(11))  # no keyword
    make_case(grid, category=farm, title="焚烧秸秆", text="烧秸秆", at=at(8))  # out of season
    make_case(
        grid, category=Category.objects.get(code="water"), title="秸秆抛河", text="河里有秸秆", at=at(11)
    )
    last_year = make_case(grid, category=farm, title="秸秆焚烧", text="烧秸秆", at=at(10, 31, 2025))

    assert matching(topics["straw"]) == {burning.pk, in_text.pk, last_year.pk}

    # Without a season the August case belongs too; without keywords every agriculture case of the season.
    straw = topics["straw"]
    straw.season_months = []
    assert len(matching(straw)) == 4
    straw.season_months, straw.keywords = [5, 6, 10, 11], []
    assert len(matching(straw)) == 4  # burning, in_text, 灌溉渠 (Nov), last year


def test_season_ranges_at_the_month_edges():
    start, end = at(1, 1, 2025), at(12, 31, 2026)
    condition = season_q([5, 6, 10, 11], start, end)
    ranges = [child for child in condition.children if not isinstance(child, tuple)]
    bounds = sorted(dict(r.children)["reported_at__gte"].date() for r in ranges)
    assert bounds == [date(2025, 5, 1), date(2025, 10, 1), date(2026, 5, 1), date(2026, 10, 1)]
    ends = sorted(dict(r.children)["reported_at__lt"].date() for r in ranges)
    assert ends == [date(2025, 7, 1), date(2025, 12, 1), date(2026, 7, 1), date(2026, 12, 1)]
    # December–January runs across the new year as one range
    winter = season_q([12, 1], at(11, 1, 2025), at(3, 1, 2026))
    (only,) = [child for child in winter.children if not isinstance(child, tuple)]
    assert dict(only.children)["reported_at__gte"] == datetime(2025, 12, 1, tzinfo=SHANGHAI)
    assert dict(only.children)["reported_at__lt"] == datetime(2026, 2, 1, tzinfo=SHANGHAI)


def test_season_boundaries_in_local_time(topics):
    region = make_region()
    grid = region.tree.grids[0]
    farm = Category.objects.get(code="agriculture")
    # 2026-05-01 00:30 in Shanghai is 30 April in UTC: in season. 2026-07-01 00:30 is not.
    may = make_case(grid, category=farm, title="烧秸秆", at=datetime(2026, 5, 1, 0, 30, tzinfo=SHANGHAI))
    make_case(grid, category=farm, title="烧秸秆", at=datetime(2026, 7, 1, 0, 30, tzinfo=SHANGHAI))
    make_case(grid, category=farm, title="烧秸秆", at=datetime(2026, 4, 30, 23, 30, tzinfo=SHANGHAI))
    assert matching(topics["straw"]) == {may.pk}


def test_topic_areas_limit_cases_and_where_it_shows(topics):
    region = make_region()
    river = topics["river"]
    water = Category.objects.get(code="water")
    here = make_case(region.tree.grids[5], category=water)
    make_case(region.tree.grids[0], category=water)
    river.areas.set([region.town2])

    assert matching(river) == {here.pk}
    assert "river" in [t.code for t in active_topics(region.town2)]
    assert "river" in [t.code for t in active_topics(region.tree.district)]  # the district contains town 2
    assert "river" in [t.code for t in active_topics(region.tree.grids[5])]
    assert "river" not in [t.code for t in active_topics(region.town1)]
    Topic.objects.filter(code="safety").update(is_active=False)
    assert "safety" not in [t.code for t in active_topics()]


def test_topic_cards_count_open_overdue_urgent(topics):
    region = make_region()
    grid = region.tree.grids[0]
    water = Category.objects.get(code="water")
    make_case(grid, category=water, alert=AlertLevel.RED)
    make_case(grid, category=water, priority=Priority.URGENT)
    make_case(grid, category=water, status=CaseStatus.CLOSED)
    make_case(grid, category=Category.objects.get(code="dispute"))
    make_case(region.tree.grids[4], category=water)  # town 2

    cards = {
        card.topic.code: card for card in topic_cards(region.town1, active_topics(region.town1), now=NOW)
    }

    assert (cards["river"].open, cards["river"].overdue, cards["river"].urgent) == (2, 1, 1)
    assert (cards["dispute"].open, cards["safety"].open) == (1, 0)
    assert cards["straw"].in_season is True  # November
    assert cards["river"].in_season is True  # no season
    assert topic_cards(region.town1, [], now=NOW) == []


def test_trend_per_day_and_per_week(topics):
    region = make_region()
    grid = region.tree.grids[0]
    water = Category.objects.get(code="water")
    make_case(grid, category=water, at=datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI))
    make_case(grid, category=water, at=datetime(2026, 11, 2, 23, 59, tzinfo=SHANGHAI))
    make_case(
        grid,
        category=water,
        at=datetime(2026, 11, 3, 0, 0, tzinfo=SHANGHAI),
        status=CaseStatus.RESOLVED,
        resolved_at=datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI),
    )
    make_case(grid, category=water, at=datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI), status=CaseStatus.MERGED)
    make_case(grid, category=water, at=datetime(2026, 10, 31, 23, 0, tzinfo=SHANGHAI))  # October
    make_case(
        grid, category=Category.objects.get(code="road"), at=datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    )

    month = Period.containing("month", date(2026, 11, 1))
    result = trend(region.town1, month, topic=topics["river"])

    assert result.step == "day" and len(result.buckets) == 30
    assert result.buckets[0].label == "2026-11-01"
    assert result.reported[:5] == [0, 2, 1, 0, 0] and sum(result.reported) == 3
    assert result.resolved[:5] == [0, 0, 0, 0, 1] and sum(result.resolved) == 1
    everything = trend(region.town1, month)
    assert sum(everything.reported) == 4  # the road case too

    year = trend(region.town1, Period.containing("year", date(2026, 1, 1)), topic=topics["river"])
    assert year.step == "week"
    assert year.buckets[0].start == date(2026, 1, 1) and year.buckets[0].end == date(2026, 1, 5)  # Thu–Sun
    assert all(b.start.weekday() == 0 for b in year.buckets[1:]) and year.buckets[-1].end == date(2027, 1, 1)
    assert sum(year.reported) == 4  # October's too
    week_of_nov_2 = next(i for i, b in enumerate(year.buckets) if b.start == date(2026, 11, 2))
    assert year.reported[week_of_nov_2] == 3
    assert trend_buckets(Period("range", date(2026, 1, 1), date(2026, 3, 4)))[0] == "day"  # 62 days
    assert trend_buckets(Period("range", date(2026, 1, 1), date(2026, 3, 5)))[0] == "week"


def test_topics_page_and_topic_page(client, topics):
    region = make_region()
    grid = region.tree.grids[0]
    water = Category.objects.get(code="water")
    red = make_case(grid, category=water, alert=AlertLevel.RED, title="河面漂浮物")
    make_case(grid, category=Category.objects.get(code="road"), alert=AlertLevel.RED)
    client.force_login(region.dispatcher)

    listing = client.get(reverse("command:topics"))
    assert listing.status_code == 200
    html = listing.content.decode()
    for code in ("river", "straw", "dispute", "safety"):
        assert f'data-topic="{code}"' in html
    assert f'href="/command/topics/river/?area={region.town1.code}"' in html

    page = client.get(reverse("command:topic", args=["river"]), {"period": "month", "date": "2026-11-01"})
    assert page.status_code == 200
    numbers = page.context["numbers"]
    assert (numbers.open, numbers.overdue, numbers.urgent) == (1, 1, 0)
    assert numbers.period == Period.containing("month", date(2026, 11, 1))
    html = page.content.decode()
    assert (
        "data-topic-chart" in html and "vendor/echarts/echarts.min.js" in html and "command/topic.js" in html
    )
    assert 'id="topic-trend-data"' in html and "data-trend-table" in html
    assert f'data-case-id="{red.pk}"' in html  # the feed holds the topic's cases only
    assert [item.id for item in page.context["feed_items"]] == [red.pk]
    assert "topic=river" in page.context["map_urls"]["layer"]
    assert "period=month" in page.context["map_urls"]["numbers"]
    # drilling down keeps the topic and the period
    assert (
        f'href="/command/topics/river/?area={region.tree.villages[0].code}&amp;period=month&amp;date=2026-11-01"'
        in html
    )

    assert client.get(reverse("command:topic", args=["nothing"])).status_code == 404
    Topic.objects.filter(code="safety").update(is_active=False)
    assert client.get(reverse("command:topic", args=["safety"])).status_code == 404


def test_json_endpoints_filtered_by_topic(client, topics):
    region = make_region()
    grid = region.tree.grids[0]
    water = make_case(grid, category=Category.objects.get(code="water"), alert=AlertLevel.RED)
    make_case(grid, category=Category.objects.get(code="road"), priority=Priority.URGENT)
    client.force_login(region.dispatcher)
    area = region.town1.code

    layer = client.get(reverse("command:overview-map"), {"area": area, "topic": "river"}).json()
    assert [point["id"] for point in layer["points"]] == [water.pk]
    grids = client.get(reverse("command:overview-grids"), {"area": area, "topic": "river"}).json()["grids"]
    assert grids[grid.code]["counts"] == {"red": 1, "urgent": 0, "yellow": 0, "normal": 0}
    feed = client.get(reverse("command:overview-feed"), {"area": area, "topic": "river"}).json()
    assert [item["id"] for item in feed["items"]] == [water.pk]
    numbers = client.get(reverse("command:overview-numbers"), {"area": area, "topic": "river"}).json()[
        "numbers"
    ]
    assert (numbers["open"], numbers["overdue"], numbers["urgent"]) == (1, 1, 0)
    assert client.get(reverse("command:overview-map"), {"area": area, "topic": "none"}).status_code == 404

    everything = client.get(reverse("command:overview-map"), {"area": area}).json()
    assert everything["total"] == 2
    assert overview_selectors.open_counts(region.town1).total == 2


def test_admin_edits_a_topic_with_keywords_and_season(client, admin_user, topics):
    client.force_login(admin_user)
    assert client.get("/admin/command/topic/").status_code == 200
    safety = Category.objects.get(code="safety")
    response = client.post(
        "/admin/command/topic/add/",
        {
            "code": "flood",
            "name": "防汛",
            "name_en": "Flood control",
            "description": "",
            "description_en": "",
            "categories": [str(safety.pk), str(Category.objects.get(code="water").pk)],
            "keywords_text": "积水\n\n内涝\n积水\n",
            "season": ["6", "7", "8"],
            "sort_order": "50",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    flood = Topic.objects.get(code="flood")
    assert (flood.keywords, flood.season_months) == (["积水", "内涝"], [6, 7, 8])
    assert sorted(flood.categories.values_list("code", flat=True)) == ["safety", "water"]
    entry = AuditEntry.objects.get(verb="save_topic", target_id=str(flood.pk))
    assert entry.data["keywords"] == ["积水", "内涝"] and entry.data["season_months"] == [6, 7, 8]

    page = client.get(f"/admin/command/topic/{flood.pk}/change/")
    assert page.status_code == 200 and "积水\n内涝" in page.content.decode()


def test_admin_is_for_administrators_only(client, topics):
    region = make_region()
    client.force_login(region.dispatcher)
    assert client.get("/admin/command/topic/").status_code in (302, 403)
