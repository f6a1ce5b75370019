"""The live path: ``triage_report`` against the database, as every channel calls it through intake."""

from __future__ import annotations

from gridgov.intake.actions import Intake, submit_report
from gridgov.triage import engine
from gridgov.triage.engine import triage_report

TEXT = "小区北门外的河里漂着一大片垃圾和死鱼，味道很难闻，麻烦尽快打捞"


def test_a_second_report_of_the_same_problem_points_at_the_first_case(region) -> None:
    first = submit_report(actor=None, intake=Intake(channel="web", text=TEXT, lat=32.205, lon=120.905)).case
    second = submit_report(
        actor=None, intake=Intake(channel="web", text=TEXT + "，已经好几天了", lat=32.2052, lon=120.9051)
    ).case
    assert second.triage.duplicate_of == first
    assert (second.triage.duplicate_similarity or 0) > 0.5
    # Far away, or in another grid without coordinates, it is another problem.
    elsewhere = triage_report(TEXT, lat=32.205, lon=121.005)
    assert elsewhere.duplicate_of is None


def test_without_coordinates_the_grid_named_in_the_text_finds_the_case(region) -> None:
    grid = region.grids[0]
    first = submit_report(actor=None, intake=Intake(channel="web", text=TEXT, lat=32.205, lon=120.905)).case
    engine._case_vectors = None  # another process: it has not seen the first case's vector
    result = triage_report(f"{grid.name}{TEXT}")
    assert result.grid == grid.code and result.duplicate_of == first.number
