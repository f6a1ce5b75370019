"""Hotspots and recurrence (selectors.hotspots, selectors.recurrence): clusters of cases on the map and problems that come back to the
same place. Town 1's grids are 0.01° squares from longitude 120.90 eastwards at latitude 32.20–32.21 (about
940 m × 1110 m); the points below are placed by hand, so every count is known."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from gridgov.cases.choices import CaseStatus
from gridgov.cases.models import Case
from gridgov.command.periods import Period
from gridgov.command.selectors.analysis import CellGrid
from gridgov.command.selectors.hotspots import (
    HotspotsTooDense,
    automatic_min_cases,
    find_hotspot,
    hotspot_cases,
    hotspot_grid,
    hotspots,
)
from gridgov.command.selectors.recurrence import recurrences
from gridgov.command.tests.test_analysis import make_case
from gridgov.geo.geometry import distance_m
from gridgov.testing.factories import RegionTree, category

MARCH = Period.containing("month", date(2026, 3, 1))
A = (32.2050, 120.9050)  # 12 road cases in grid 0
B = (32.2050, 120.9300)  # 6 sanitation cases in grid 3 and 4 road cases in grid 2, on their common border
NOISE = [
    (32.2010, 120.9010),
    (32.2090, 120.9190),
    (32.2010, 120.9250),
    (32.2090, 120.9390),
    (32.2020, 120.9150),
]


def build_clustered(region: RegionTree) -> tuple[RegionTree, dict[str, list[str]]]:
    """Two clusters and five scattered cases in March; around A also a case of February, a merged duplicate
    and a case without coordinates, none of which count."""
    numbers: dict[str, list[str]] = {"A": [], "B": []}
    for i, dlat in enumerate((-0.0002, 0.0, 0.0002)):
        for j, dlon in enumerate((-0.0003, -0.0001, 0.0001, 0.0003)):
            case = make_case(
                region, at=f"2026-03-{1 + i * 4 + j:02d} 10:00", lat=A[0] + dlat, lon=A[1] + dlon
            )
            numbers["A"].append(case.number)
    for k, dlat in enumerate((-0.00025, -0.00015, -0.00005, 0.00005, 0.00015, 0.00025)):
        case = make_case(
            region,
            at=f"2026-03-{10 + k:02d} 09:00",
            grid=3,
            code="sanitation",
            lat=B[0] + dlat,
            lon=B[1] + 0.0002,
        )
        numbers["B"].append(case.number)
    for k, dlat in enumerate((-0.0002, -0.0001, 0.0001, 0.0002)):
        case = make_case(region, at=f"2026-03-{20 + k:02d} 09:00", grid=2, lat=B[0] + dlat, lon=B[1] - 0.0002)
        numbers["B"].append(case.number)
    for k, (lat, lon) in enumerate(NOISE):
        make_case(region, at=f"2026-03-{5 + k:02d} 12:00", grid=k % 4, lat=lat, lon=lon)
    make_case(region, at="2026-02-27 10:00", lat=A[0], lon=A[1])
    make_case(region, at="2026-03-03 10:00", lat=A[0], lon=A[1], status=CaseStatus.MERGED)
    no_location = make_case(region, at="2026-03-03 11:00")
    Case.objects.filter(pk=no_location.pk).update(lat=None, lon=None)
    return region, numbers


@pytest.fixture
def clustered(region):
    return build_clustered(region)


@pytest.mark.django_db
def test_hotspots_are_the_two_clusters_ranked_by_cases(clustered):
    region, _numbers = clustered
    town = region.towns[0]

    found = hotspots(town, MARCH, eps_m=300, min_cases=10)

    assert [(h.rank, h.cases) for h in found] == [(1, 12), (2, 10)]
    first, second = found
    assert distance_m(first.lat, first.lon, *A) < 1
    assert distance_m(second.lat, second.lon, *B) < 5
    assert 50 <= first.radius_m < 120 and 50 <= second.radius_m < 120
    assert [(s.code, s.count) for s in first.categories] == [("road", 12)]
    assert [(s.code, s.count) for s in second.categories] == [("sanitation", 6), ("road", 4)]
    assert [(s.label, s.count) for s in second.grids] == [
        (region.grids[3].name, 6),
        (region.grids[2].name, 4),
    ]
    assert first.anchor in first.cells


@pytest.mark.django_db
def test_hotspot_parameters_and_filters(clustered):
    region, _numbers = clustered
    town = region.towns[0]

    assert [h.cases for h in hotspots(town, MARCH, eps_m=300, min_cases=11)] == [12]
    assert [h.cases for h in hotspots(town, MARCH, category("sanitation"), eps_m=300, min_cases=5)] == [6]
    # 300 m around A reaches none of the scattered cases: a threshold of 13 finds nothing.
    assert hotspots(town, MARCH, eps_m=300, min_cases=13) == []
    # Two kilometres chain both clusters and most of the noise into one hotspot.
    assert [h.cases for h in hotspots(town, MARCH, eps_m=2000, min_cases=10)] == [27]
    # Town 2 and another month have none.
    assert hotspots(region.towns[1], MARCH) == []
    assert hotspots(town, Period.containing("month", date(2026, 4, 1))) == []
    assert len(hotspots(town, MARCH, eps_m=300, min_cases=10, limit=1)) == 1


@pytest.mark.django_db
def test_cases_behind_a_hotspot_are_exactly_its_cases(clustered):
    region, numbers = clustered
    town = region.towns[0]
    first, second = hotspots(town, MARCH, eps_m=300, min_cases=10)

    again = find_hotspot(town, MARCH, second.anchor, eps_m=300, min_cases=10)

    assert again == second
    assert sorted(c.number for c in hotspot_cases(town, MARCH, first)) == sorted(numbers["A"])
    assert sorted(c.number for c in hotspot_cases(town, MARCH, second)) == sorted(numbers["B"])
    assert find_hotspot(town, MARCH, 12345, eps_m=300, min_cases=10) is None


@pytest.mark.django_db
def test_cells_are_the_same_in_sql_and_in_python(clustered):
    """FLOOR on PostgreSQL and a cast on SQLite give the key Python computes for the same point."""
    grid = CellGrid.around(100, 32)
    rows = Case.objects.filter(lat__isnull=False).annotate(cell=grid.key()).values_list("lat", "lon", "cell")
    assert rows and all(cell == grid.key_of(lat, lon) for lat, lon, cell in rows), connection.vendor


# --- recurrence ---------------------------------------------------------------------------------------------------

P = (32.2030, 120.9030)  # a pothole reported three times in March (and once merged, once in February)
R = (32.2080, 120.9250)  # four times
Q = (32.2060, 120.9350)  # twice, and once 300 m further north: not the same place


def build_recurring(region: RegionTree) -> tuple[RegionTree, dict[str, list[str]]]:
    """Road cases at P (3) and R (4), two sanitation cases at P, and Q's three cases, one 300 m away."""
    numbers: dict[str, list[str]] = {"P": [], "R": []}
    for at, (dlat, dlon), status in [
        ("2026-03-02 09:00", (0.0, 0.0), CaseStatus.RESOLVED),
        ("2026-03-12 09:00", (0.0001, 0.0), CaseStatus.CLOSED),
        ("2026-03-25 09:00", (0.0, 0.0001), CaseStatus.REPORTED),
    ]:
        numbers["P"].append(make_case(region, at=at, lat=P[0] + dlat, lon=P[1] + dlon, status=status).number)
    make_case(region, at="2026-03-13 09:00", lat=P[0], lon=P[1], status=CaseStatus.MERGED)
    make_case(region, at="2026-02-20 09:00", lat=P[0], lon=P[1])
    for day in (3, 4):
        make_case(region, at=f"2026-03-{day:02d} 10:00", code="sanitation", lat=P[0], lon=P[1] + 0.00005)
    for k, (dlat, dlon) in enumerate([(0, 0), (0.0001, 0.0001), (-0.0001, 0.0001), (0.0001, -0.0001)]):
        case = make_case(
            region, at=f"2026-03-{5 + k * 5:02d} 08:00", grid=2, lat=R[0] + dlat, lon=R[1] + dlon
        )
        numbers["R"].append(case.number)
    for at, lat in [
        ("2026-03-06 08:00", Q[0]),
        ("2026-03-16 08:00", Q[0]),
        ("2026-03-26 08:00", Q[0] + 0.0027),
    ]:
        make_case(region, at=at, grid=3, lat=lat, lon=Q[1])
    return region, numbers


@pytest.fixture
def recurring(region):
    return build_recurring(region)


@pytest.mark.django_db
def test_recurrence_groups_same_category_same_place(recurring):
    region, numbers = recurring

    result = recurrences(region.towns[0], MARCH)

    assert result.found == 2
    first, second = result.groups
    assert (first.rank, first.category_code, first.count) == (1, "road", 4)
    assert [c.number for c in first.cases] == numbers["R"]
    assert first.grid_names == [region.grids[2].name]
    assert (second.rank, second.category_code, second.count) == (2, "road", 3)
    assert [c.number for c in second.cases] == numbers["P"]  # oldest first
    assert [c.status for c in second.cases] == ["resolved", "closed", "reported"]
    assert second.first_at.isoformat() == "2026-03-02T01:00:00+00:00"
    for group in result.groups:
        assert group.spread_m <= 50
        assert all(distance_m(group.lat, group.lon, c.lat, c.lon) <= 50 for c in group.cases)


@pytest.mark.django_db
def test_recurrence_parameters(recurring):
    region, _numbers = recurring
    town = region.towns[0]

    assert [g.count for g in recurrences(town, MARCH, min_cases=4).groups] == [4]
    assert recurrences(town, MARCH, category=category("sanitation")).groups == []
    sanitation = recurrences(town, MARCH, category=category("sanitation"), min_cases=2)
    assert [(g.category_code, g.count) for g in sanitation.groups] == [("sanitation", 2)]
    # With a 400 m radius Q's third case joins the other two.
    wide = recurrences(town, MARCH, radius_m=400)
    assert sorted(g.count for g in wide.groups) == [3, 3, 4]
    limited = recurrences(town, MARCH, limit=1)
    assert (limited.found, len(limited.groups)) == (2, 1)
    assert recurrences(region.towns[1], MARCH).groups == []


# --- the clustering itself ----------------------------------------------------------------------------------------


def test_automatic_minimum_is_four_times_the_average_density():
    # 1000 cases over 1 km²: a 300 m circle (0.2827 km²) holds 282.7 on average → 4 × 282.7 = 1130.97 → 1131.
    assert automatic_min_cases(1000, 1_000_000, 300) == 1131
    # A few cases over a large area: the floor of 10.
    assert automatic_min_cases(27, 3_200_000, 300) == 10
    assert automatic_min_cases(0, 0, 300) == 10


@pytest.mark.django_db
def test_prefiltered_dbscan_finds_what_dbscan_on_every_cell_finds(region: RegionTree) -> None:
    """The grid prefilter only drops cells that can be neither core nor border: the clusters are those of a
    plain DBSCAN over every occupied cell (computed here from the cases, with Python's own binning)."""
    import numpy as np
    from sklearn.cluster import DBSCAN

    rnd = random.Random(7)
    for k in range(400):
        if k % 3 == 0:  # a third in five tight spots, the rest spread over town 1
            lat, lon = 32.2015 + 0.0015 * (k % 5), 120.905 + 0.007 * (k % 5)
            lat, lon = lat + rnd.gauss(0, 0.0004), lon + rnd.gauss(0, 0.0004)
        else:
            lat, lon = 32.2 + 0.01 * rnd.random(), 120.9 + 0.04 * rnd.random()
        make_case(region, at=f"2026-03-{1 + k % 28:02d} 08:00", lat=lat, lon=lon)
    town = region.towns[0]

    for eps_m, min_cases in [(200, 8), (300, 12), (120, 5)]:
        found = hotspots(town, MARCH, eps_m=eps_m, min_cases=min_cases, limit=None)
        grid = hotspot_grid(town, eps_m)
        by_cell: dict[int, list[tuple[float, float]]] = {}
        for point_lat, point_lon in Case.objects.values_list("lat", "lon"):
            assert point_lat is not None and point_lon is not None
            by_cell.setdefault(grid.key_of(point_lat, point_lon), []).append((point_lat, point_lon))
        keys = sorted(by_cell)
        weight = np.array([len(by_cell[k]) for k in keys], dtype=float)
        centres = np.radians([np.mean(by_cell[k], axis=0) for k in keys])
        labels = (
            DBSCAN(eps=eps_m / 6_371_008.8, min_samples=min_cases, metric="haversine")
            .fit(centres, sample_weight=weight)
            .labels_
        )
        expected = sorted(
            (int(weight[labels == label].sum()), sorted(np.array(keys)[labels == label].tolist()))
            for label in set(labels.tolist()) - {-1}
        )
        assert expected, (eps_m, min_cases)
        assert sorted((h.cases, sorted(h.cells)) for h in found) == expected


@pytest.mark.django_db
def test_too_many_qualifying_cells_is_an_error_the_page_explains(clustered, monkeypatch, client, town):
    region, _numbers = clustered
    monkeypatch.setattr("gridgov.command.selectors.hotspots.MAX_CLUSTER_CELLS", 3)

    with pytest.raises(HotspotsTooDense) as error:
        hotspots(region.towns[0], MARCH, eps_m=300, min_cases=2)
    assert error.value.min_cases == 2 and error.value.cells > 3

    client.force_login(town.dispatcher)
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("command:hotspots"),
        {"area": region.towns[0].code, "period": "month", "date": "2026-03-01", "min_cases": "2"},
    )
    assert response.status_code == 200 and b"data-too-dense" in response.content
