"""The overview screen's reads and endpoints on hand-made cases: colours per grid, points or counts on the map
(cap, bbox, grids or cells), headline numbers, the feed's ``after``, the drill-down table, and who may see it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.cases.choices import AlertLevel, CaseStatus, Priority, Satisfaction
from gridgov.cases.models import Case
from gridgov.command.periods import Period
from gridgov.command.selectors import overview as selectors
from gridgov.command.selectors.indicators import area_summary
from gridgov.command.tests.test_overview_data import (
    NOW,
    SHANGHAI,
    Region,
    centre,
    make_case,
    make_region,
    ring,
)
from gridgov.geo.models import Area

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    region: Region
    grids: list[Area]
    g0_cases: list[Case]
    g1_urgent: Case
    newest: Case


@pytest.fixture
def scene(default_categories) -> Scene:
    """Town 1: grid 0 has 2 red (one of them urgent), 1 urgent, 1 yellow and 3 normal open cases (one reported
    today at 08:00); grid 1 an urgent case that is also due soon, one reported yesterday at 23:59, and closed (today
    09:00), rejected and merged (today 09:30) ones; grid 2 one case without a location; one case placed in the town
    itself. Town 2: two red cases in grid 4."""
    region = make_region()
    grids = region.tree.grids
    g0 = grids[0]
    spread = [(-0.004, -0.004), (-0.002, 0.003), (0.0, 0.0), (0.001, -0.001), (0.003, 0.002), (0.004, 0.004)]
    g0_cases = [
        make_case(g0, alert=AlertLevel.RED, point=centre(g0, *spread[0])),
        make_case(g0, alert=AlertLevel.RED, priority=Priority.URGENT, point=centre(g0, *spread[1])),
        make_case(g0, priority=Priority.URGENT, status=CaseStatus.REPORTED, point=centre(g0, *spread[2])),
        make_case(g0, alert=AlertLevel.YELLOW, status=CaseStatus.IN_PROGRESS, point=centre(g0, *spread[3])),
        make_case(g0, status=CaseStatus.DISPATCHED, point=centre(g0, *spread[4])),
        make_case(g0, status=CaseStatus.RESOLVED, point=centre(g0, *spread[5])),
        make_case(g0, at=NOW.replace(hour=8), point=centre(g0, 0.002, -0.003)),
    ]
    g1 = grids[1]
    g1_urgent = make_case(g1, alert=AlertLevel.YELLOW, priority=Priority.URGENT)
    make_case(g1, status=CaseStatus.CLOSED, alert=AlertLevel.RED, at=NOW.replace(hour=9))
    make_case(g1, status=CaseStatus.REJECTED, priority=Priority.URGENT)
    make_case(g1, status=CaseStatus.MERGED, at=NOW.replace(hour=9, minute=30))
    make_case(g1, at=NOW.replace(hour=0) - timedelta(minutes=1))  # yesterday 23:59
    make_case(grids[2], point=False)
    make_case(region.town1, point=False)
    make_case(grids[4], alert=AlertLevel.RED)
    newest = make_case(
        grids[4],
        alert=AlertLevel.RED,
        at=NOW.replace(hour=9, minute=45),
        resolve_by=NOW.replace(hour=9, minute=55),
    )
    return Scene(region, grids, g0_cases, g1_urgent, newest)


# --- colours per grid and per child area ------------------------------------------------------------------------


def test_grid_counts_by_colour_only_open_cases_of_the_area(scene):
    grids = {grid.code: grid for grid in selectors.grid_counts(scene.region.town1)}

    assert list(grids) == [grid.code for grid in scene.grids[:4]]  # town 1's grids only, in path order
    g0, g1, g2, g3 = (grids[grid.code] for grid in scene.grids[:4])
    assert g0.counts.as_dict() == {"red": 2, "urgent": 1, "yellow": 1, "normal": 3}
    assert (g0.counts.total, g0.counts.urgent_all, g0.counts.worst) == (7, 2, "red")
    # the yellow urgent case is urgent; closed, rejected and merged ones do not count
    assert g1.counts.as_dict() == {"red": 0, "urgent": 1, "yellow": 0, "normal": 1}
    assert g1.counts.worst == "urgent"
    assert (g2.counts.total, g2.counts.worst) == (1, "normal")  # no location: still the grid's case
    assert (g3.counts.total, g3.counts.worst) == (0, None)
    # the drill-down target of each grid is the village of town 1 it lies in
    assert [g0.child, g1.child, g2.child] == [scene.region.tree.villages[0].code] * 2 + [
        scene.region.tree.villages[1].code
    ]


def test_grids_json_answers_the_same_counts(client, scene):
    client.force_login(scene.region.dispatcher)
    response = client.get(reverse("command:overview-grids"), {"area": scene.region.town1.code})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    g0 = body["grids"][scene.grids[0].code]
    assert g0 == {
        "name": scene.grids[0].name,
        "child": scene.region.tree.villages[0].code,
        "total": 7,
        "urgent_all": 2,
        "counts": {"red": 2, "urgent": 1, "yellow": 1, "normal": 3},
        "colour": "red",
    }
    assert scene.grids[4].code not in body["grids"]


def test_child_rows_add_up_with_a_row_for_cases_above_the_children(scene):
    rows = selectors.child_rows(scene.region.town1, now=NOW)

    villages = scene.region.tree.villages
    assert [row.area.code if row.area else None for row in rows] == [villages[0].code, villages[1].code, None]
    v0, v1, rest = rows
    assert (v0.counts.total, v0.counts.red, v0.counts.urgent_all, v0.counts.yellow) == (9, 2, 3, 1)
    assert v0.reported_today == 2  # 08:00 open + 09:00 closed; the merged one and yesterday's do not count
    assert (v1.counts.total, v1.reported_today) == (1, 0)
    assert (rest.counts.total, rest.area) == (1, None)
    assert sum(row.counts.total for row in rows) == selectors.open_counts(scene.region.town1).total == 11


# --- the map layer ------------------------------------------------------------------------------------------------


def test_few_cases_come_as_points_with_colour_and_link(scene):
    layer = selectors.map_layer(scene.region.town1, zoom=13)

    assert layer.mode == "points"
    # the open cases of town 1 that have a location: grid 0's seven, grid 1's two open ones
    assert layer.total == len(layer.points) == 9
    by_id = {point["id"]: point for point in layer.points}
    assert [point["id"] for point in layer.points] == sorted(by_id, reverse=True)  # newest first
    red, red_urgent, urgent, yellow = scene.g0_cases[:4]
    assert [by_id[c.pk]["colour"] for c in (red, red_urgent, urgent, yellow)] == [
        "red",
        "red",
        "urgent",
        "yellow",
    ]
    assert by_id[red_urgent.pk]["urgent"] is True and by_id[red.pk]["urgent"] is False
    assert by_id[scene.g1_urgent.pk]["colour"] == "urgent"
    assert by_id[red.pk]["url"] == reverse("cases:detail", args=[red.number])
    assert (by_id[red.pk]["lat"], by_id[red.pk]["lon"]) == (red.lat, red.lon)
    assert scene.newest.pk not in by_id  # town 2


def test_many_cases_are_counted_per_grid_above_the_cap(scene):
    layer = selectors.map_layer(scene.region.town1, zoom=13, cap=3)

    assert layer.mode == "grids" and layer.points == []
    groups = {group["code"]: group for group in layer.groups}
    assert set(groups) == {scene.grids[0].code, scene.grids[1].code}
    g0 = groups[scene.grids[0].code]
    assert (g0["total"], g0["counts"], g0["colour"], g0["name"]) == (
        7,
        {"red": 2, "urgent": 1, "yellow": 1, "normal": 3},
        "red",
        scene.grids[0].name,
    )
    lats = [c.lat for c in scene.g0_cases]
    assert g0["lat"] == pytest.approx(sum(lats) / len(lats))  # placed at the mean of its cases
    assert layer.total == 9 == sum(group["total"] for group in layer.groups)
    assert groups[scene.grids[1].code]["counts"] == {"red": 0, "urgent": 1, "yellow": 0, "normal": 1}

    at_cap = selectors.map_layer(scene.region.town1, zoom=13, cap=9)
    assert at_cap.mode == "points" and at_cap.total == 9  # exactly the cap: still points


def test_zoomed_in_many_cases_are_counted_per_cell(scene):
    zoom = selectors.CELL_ZOOM
    layer = selectors.map_layer(scene.region.town1, zoom=zoom, cap=3)

    step = selectors.cell_size(zoom)
    assert step == 90 / 2**zoom
    expected: dict[str, dict[str, int]] = {}
    located = [
        c for c in Case.objects.filter(area_path__startswith=scene.region.town1.path) if c.lat is not None
    ]
    for case in located:
        if case.status in (CaseStatus.CLOSED, CaseStatus.REJECTED, CaseStatus.MERGED):
            continue
        key = f"{math.floor((case.lat + 90) / step)}:{math.floor((case.lon + 180) / step)}"
        expected.setdefault(key, {"total": 0})
        expected[key]["total"] += 1
    assert layer.mode == "cells"
    assert {group["key"]: {"total": group["total"]} for group in layer.groups} == expected
    assert len(layer.groups) >= 5 and layer.total == 9


def test_bbox_keeps_the_cases_inside(scene):
    g0 = scene.grids[0]
    west, south = ring(g0)[0]
    bbox = selectors.BBox(west, south, west + 0.0099, south + 0.0099)

    layer = selectors.map_layer(scene.region.town1, bbox=bbox, zoom=15)

    assert layer.mode == "points"
    # grid 1's cases sit at grid 1's centre, outside the box
    assert {point["id"] for point in layer.points} == {c.pk for c in scene.g0_cases}
    assert layer.total == 7


def test_map_json_parameters_and_topic_free_answer(client, scene):
    client.force_login(scene.region.dispatcher)
    url = reverse("command:overview-map")
    g0 = scene.grids[0]
    west, south = ring(g0)[0]

    body = client.get(
        url, {"area": g0.code, "bbox": f"{west},{south},{west + 0.01},{south + 0.01}", "zoom": 15}
    )
    assert body.status_code == 200
    data = body.json()
    assert (data["mode"], data["total"], data["area"], data["zoom"], data["cap"]) == (
        "points",
        7,
        g0.code,
        15,
        2000,
    )

    for bad in (
        {"bbox": "1,2,3"},
        {"bbox": "10,20,5,30"},
        {"bbox": "a,b,c,d"},
        {"zoom": "99"},
        {"zoom": "x"},
    ):
        response = client.get(url, {"area": g0.code, **bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid"
        assert set(response.json()["error"]["fields"]) == set(bad)


def test_bbox_parse():
    assert selectors.BBox.parse("120.9,32.2,121.0,32.3") == selectors.BBox(120.9, 32.2, 121.0, 32.3)
    for text in ("", "1,2,3", "1,2,3,4,5", "3,2,1,4", "1,4,3,2", "-181,0,0,1"):
        with pytest.raises(ValueError):
            selectors.BBox.parse(text)


# --- headline numbers -------------------------------------------------------------------------------------------


def test_headline_numbers(scene):
    g3 = scene.grids[3]
    # Two cases of this month resolved and rated: one in time and satisfied, one late and dissatisfied.
    make_case(
        g3,
        status=CaseStatus.CLOSED,
        at=datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI),
        resolved_at=datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI),
        resolve_by=datetime(2026, 11, 10, 17, 0, tzinfo=SHANGHAI),
        satisfaction=Satisfaction.SATISFIED,
    )
    make_case(
        g3,
        status=CaseStatus.CLOSED,
        at=datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI),
        resolved_at=datetime(2026, 11, 12, 9, 0, tzinfo=SHANGHAI),
        resolve_by=datetime(2026, 11, 10, 17, 0, tzinfo=SHANGHAI),
        satisfaction=Satisfaction.DISSATISFIED,
    )

    numbers = selectors.headline(scene.region.town1, now=NOW)

    assert (numbers.reported_today, numbers.open, numbers.overdue, numbers.urgent) == (2, 11, 2, 3)
    assert numbers.period == Period.containing("month", NOW.date())
    summary = area_summary(scene.region.town1, numbers.period, now=NOW)
    assert (numbers.on_time_rate, numbers.satisfaction_rate) == (
        summary.on_time_rate,
        summary.satisfaction_rate,
    )
    # due: the two resolved ones and the two overdue open ones; one of them resolved in time
    assert (numbers.on_time_rate, numbers.satisfaction_rate) == (0.25, 0.5)

    district = selectors.headline(scene.region.tree.district, now=NOW)
    assert (district.open, district.overdue, district.urgent) == (13, 4, 3)


def test_red_is_overdue_now_whatever_the_last_sweep_said(default_categories):
    region = make_region()
    grid = region.tree.grids[0]
    past, future = NOW - timedelta(hours=1), NOW + timedelta(days=2)
    late = make_case(grid, alert=AlertLevel.YELLOW, resolve_by=past)  # the sweep has not run since
    waiting = make_case(grid, status=CaseStatus.REPORTED, accept_by=past)
    extended = make_case(grid, alert=AlertLevel.RED, resolve_by=future)  # an extension moved the deadline
    resolved = make_case(grid, status=CaseStatus.RESOLVED, alert=AlertLevel.RED, resolve_by=past)
    suspended = make_case(grid, status=CaseStatus.SUSPENDED, alert=AlertLevel.YELLOW, resolve_by=future)
    due_soon = make_case(grid, alert=AlertLevel.YELLOW, resolve_by=future)

    layer = selectors.map_layer(region.town1, now=NOW)
    colours = {point["id"]: point["colour"] for point in layer.points}

    assert colours == {
        late.pk: "red",
        waiting.pk: "red",
        extended.pk: "normal",
        resolved.pk: "normal",  # resolved, waiting for its check: not overdue any more
        suspended.pk: "normal",  # the clock stands still
        due_soon.pk: "yellow",
    }
    numbers = selectors.headline(region.town1, now=NOW)
    summary = area_summary(region.town1, numbers.period, now=NOW)
    assert numbers.overdue == summary.overdue_now == 2


def test_headline_without_rated_cases_has_no_rate(scene):
    numbers = selectors.headline(scene.region.town2, now=NOW)
    assert (numbers.open, numbers.overdue, numbers.satisfaction_rate) == (2, 2, None)


def test_numbers_json(client, scene):
    client.force_login(scene.region.dispatcher)
    response = client.get(reverse("command:overview-numbers"), {"area": scene.region.town1.code})
    assert response.status_code == 200
    numbers = response.json()["numbers"]
    assert (numbers["open"], numbers["overdue"], numbers["urgent"]) == (11, 2, 3)
    assert numbers["period"]["period"] == "month"


# --- the feed -----------------------------------------------------------------------------------------------------


def test_feed_newest_first_and_after(scene):
    town1 = scene.region.town1
    items = selectors.feed(town1)
    ids = [item.id for item in items]
    in_town = list(
        Case.objects.filter(area_path__startswith=town1.path).order_by("-pk").values_list("pk", flat=True)
    )
    assert ids == in_town  # every case of the area, any status, newest first; town 2's are not there
    assert scene.newest.pk not in ids
    assert selectors.latest_case_id(items) == ids[0]

    later = timezone.now() + timedelta(minutes=5)  # the scene's cases are no longer "just created"
    assert [item.id for item in selectors.feed(town1, after=ids[2], now=later)] == ids[:2]
    assert selectors.feed(town1, after=ids[0], now=later) == []
    assert selectors.latest_case_id([], ids[0]) == ids[0]
    assert [item.id for item in selectors.feed(town1, limit=3)] == ids[:3]

    urgent = next(item for item in items if item.id == scene.g1_urgent.pk)
    assert (urgent.urgent, urgent.colour, urgent.is_open) == (True, "urgent", True)
    closed = next(item for item in items if item.status == CaseStatus.CLOSED)
    assert (closed.colour, closed.is_open) == ("closed", False)


def test_feed_catches_a_case_whose_transaction_committed_late(scene):
    """Ids are taken at insert, not at commit: a report numbered below the last id the page saw still arrives
    while it is recent and its id is close; older or farther ones are not sent again."""
    town1 = scene.region.town1
    late = make_case(scene.grids[1], title="晚提交")
    shown = make_case(scene.grids[1], title="先显示")
    # The page saw ``shown`` first (its transaction committed first); ``late`` becomes visible only now.
    items = selectors.feed(town1, after=shown.pk)
    assert late.pk in [item.id for item in items]  # (with the other recent ones, which the page already has)
    # Minutes later, or with many ids in between, it is no longer looked for.
    assert selectors.feed(town1, after=shown.pk, now=timezone.now() + timedelta(minutes=5)) == []
    far = late.pk + selectors.LATE_COMMIT_IDS
    assert late.pk not in [item.id for item in selectors.feed(town1, after=far)]


def test_feed_json_after(client, scene):
    client.force_login(scene.region.dispatcher)
    url = reverse("command:overview-feed")
    area = scene.region.town1.code
    first = client.get(url, {"area": area}).json()
    last_id = first["last_id"]
    assert last_id == first["items"][0]["id"]

    nothing_new = client.get(url, {"area": area, "after": last_id}).json()
    assert (nothing_new["last_id"], nothing_new["area"]) == (last_id, area)
    # Only cases the page already has come back (the recent ones below the last id, which it ignores).
    assert {item["id"] for item in nothing_new["items"]} <= {item["id"] for item in first["items"]}
    arrived = make_case(scene.grids[1], priority=Priority.URGENT, title="燃气泄漏")
    make_case(scene.grids[5])  # another town: not in this feed
    body = client.get(url, {"area": area, "after": last_id}).json()
    assert body["items"][0]["id"] == arrived.pk
    assert {item["id"] for item in body["items"][1:]} <= {item["id"] for item in first["items"]}
    assert body["last_id"] == arrived.pk
    item = body["items"][0]
    assert (item["number"], item["title"], item["urgent"], item["colour"], item["open"]) == (
        arrived.number,
        "燃气泄漏",
        True,
        "urgent",
        True,
    )
    assert item["url"] == reverse("cases:detail", args=[arrived.number])
    assert client.get(url, {"area": area, "after": "-1"}).status_code == 400


# --- pages and permissions ----------------------------------------------------------------------------------------


def test_overview_page_of_the_users_area_with_the_drill_down(client, scene):
    client.force_login(scene.region.dispatcher)
    response = client.get(reverse("command:overview"))

    assert response.status_code == 200
    assert response.context["area"] == scene.region.town1
    html = response.content.decode()
    numbers = response.context["numbers"]
    assert (numbers.open, numbers.overdue, numbers.urgent) == (11, 2, 3)
    assert 'data-number="open">11<' in html
    for village in scene.region.tree.villages[:2]:
        assert f'data-area-link="{village.code}"' in html
    assert f'href="/command/?area={scene.region.tree.villages[0].code}"' in html
    assert "data-command-map" in html and "command/overview.js" in html
    assert f'data-case-id="{scene.g1_urgent.pk}"' in html  # the feed, rendered on the server
    assert "command--large" not in html
    assert 'aria-current="page">' in html  # the tab


def test_grid_page_lists_its_open_cases_with_links(client, scene):
    client.force_login(scene.region.dispatcher)
    g0 = scene.grids[0]
    response = client.get(reverse("command:overview"), {"area": g0.code})

    assert response.status_code == 200
    rows = list(response.context["open_cases"])
    assert {case.pk for case in rows[:2]} == {c.pk for c in scene.g0_cases[:2]}  # the two red ones
    assert rows[2].pk == scene.g0_cases[2].pk  # then the urgent one
    assert [case.colour for case in rows] == ["red", "red", "urgent", "yellow", "normal", "normal", "normal"]
    html = response.content.decode()
    assert f'href="{reverse("cases:detail", args=[scene.g0_cases[0].number])}"' in html
    assert "data-child-areas" not in html


def test_large_screen_layout(client, scene):
    client.force_login(scene.region.district_dispatcher)
    response = client.get(reverse("command:overview"), {"screen": "large"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "command command--large" in html and "data-fullscreen" in html
    assert f'?area={scene.region.town1.code}&amp;screen=large"' in html  # drill-down keeps the layout
    assert response.context["area"] == scene.region.tree.district
    assert 'data-drill-template="/command/?area=__AREA__&amp;screen=large"' in html


def test_login_required(client, scene):
    response = client.get(reverse("command:overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for name in (
        "command:overview-map",
        "command:overview-grids",
        "command:overview-feed",
        "command:overview-numbers",
    ):
        response = client.get(reverse(name), {"area": scene.region.town1.code})
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] == "not_authenticated"


def test_other_towns_area_is_forbidden(client, scene):
    client.force_login(scene.region.other_dispatcher)
    town1 = scene.region.town1.code
    assert client.get(reverse("command:overview"), {"area": town1}).status_code == 403
    assert client.get(reverse("command:overview"), {"area": scene.grids[0].code}).status_code == 403
    for name in (
        "command:overview-map",
        "command:overview-grids",
        "command:overview-feed",
        "command:overview-numbers",
    ):
        response = client.get(reverse(name), {"area": town1})
        assert response.status_code == 403, name
        assert response.json()["error"]["code"] == "permission_denied"
    # their own town works
    assert client.get(reverse("command:overview-grids"), {"area": scene.region.town2.code}).status_code == 200
    assert client.get(reverse("command:overview-map"), {"area": "999"}).status_code == 404


def test_users_without_a_command_center_are_refused(client, scene, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password=None)
    client.force_login(clerk)
    assert client.get(reverse("command:overview")).status_code == 403
    assert client.get(reverse("command:overview-feed")).status_code == 403


def test_queries_do_not_grow_with_the_cases(scene, django_assert_max_num_queries):
    town1 = scene.region.town1
    for grid in scene.grids[:4]:
        for _ in range(30):
            make_case(grid, alert=AlertLevel.YELLOW)
    with django_assert_max_num_queries(4):
        selectors.map_layer(town1, zoom=13, cap=20)
    with django_assert_max_num_queries(2):
        selectors.grid_counts(town1)
    with django_assert_max_num_queries(3):
        selectors.child_rows(town1, now=NOW)
    with django_assert_max_num_queries(2):
        selectors.feed(town1)
