from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridgov.geo.geometry import distance_m
from gridgov.triage.corpus import Report
from gridgov.triage.duplicates import Candidate, DuplicateIndex, DuplicateRules, best_match
from gridgov.triage.engine import Triage, TriageResult
from gridgov.triage.metrics import evaluate

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=TZ)
RULES = DuplicateRules(radius_m=300, window=timedelta(days=7), min_similarity=0.3, proximity_bonus=0.1)
SAME = {1: 0.8, 2: 0.6}  # unit-length enough for the dot products below: 0.64 + 0.36 = 1
OTHER = {3: 1.0}


def cand(ref: str, **kw: object) -> Candidate:
    values: dict[str, object] = {
        "category": "water",
        "at": T0,
        "lat": 32.0,
        "lon": 121.0,
        "grid": "g1",
        "vector": SAME,
    }
    values.update(kw)
    return Candidate(ref=ref, **values)  # type: ignore[arg-type]


def test_distance_is_about_right() -> None:
    # 0.001° of latitude is 111 m.
    assert distance_m(32.0, 121.0, 32.001, 121.0) == pytest.approx(111.2, abs=0.5)


def test_same_problem_same_place_is_a_duplicate() -> None:
    report = cand("new", at=T0 + timedelta(days=1), lat=32.0005)
    match = best_match(report, [cand("old")], RULES)
    assert match is not None and match.ref == "old" and match.similarity == pytest.approx(1.0)
    assert match.distance_m == pytest.approx(55.6, abs=0.5)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"lat": 32.01}, "1.1 km away"),
        ({"at": T0 + timedelta(days=8)}, "outside the window"),
        ({"at": T0 - timedelta(hours=1)}, "earlier than the candidate"),
        ({"category": "road"}, "another category"),
        ({"vector": OTHER}, "other words"),
    ],
)
def test_not_a_duplicate(change: dict[str, object], why: str) -> None:
    report = cand("new", **{"at": T0 + timedelta(hours=2), **change})
    assert best_match(report, [cand("old")], RULES) is None, why


def test_without_coordinates_the_grid_decides() -> None:
    report = cand("new", lat=None, lon=None, at=T0 + timedelta(hours=1))
    assert best_match(report, [cand("old")], RULES) is not None
    assert best_match(cand("x", lat=None, lon=None, grid="g2"), [cand("old")], RULES) is None


def test_the_most_similar_wins_and_closeness_helps() -> None:
    report = cand("new", at=T0 + timedelta(hours=1), vector={1: 1.0})
    far_similar = cand("far", lat=32.0025, vector={1: 0.8, 2: 0.6})  # 278 m, similarity 0.8
    near_less = cand("near", lat=32.0, vector={1: 0.75, 4: 0.66})  # 0 m, similarity 0.75 + bonus 0.1
    assert best_match(report, [far_similar, near_less], RULES).ref == "near"  # type: ignore[union-attr]


def test_index_looks_only_nearby_but_finds_across_cell_borders() -> None:
    index = DuplicateIndex(RULES)
    for i in range(1000):
        index.add(cand(f"far{i}", lat=33.0 + i * 0.01, grid=f"x{i}"))
    index.add(cand("old", lat=32.00135))  # next to a cell border (cells are ~0.0027° high)
    report = cand("new", lat=32.0014, at=T0 + timedelta(hours=1), grid="g9")
    assert len(index.nearby(report)) == 1
    assert index.find(report).ref == "old"  # type: ignore[union-attr]


def test_engine_links_a_later_line_to_an_earlier_one(tiny_model) -> None:
    reports = [
        Report("b", "河里漂了很多垃圾好臭", 32.0, 121.0, T0 + timedelta(hours=3)),
        Report("a", "河里好多垃圾漂着", 32.0003, 121.0, T0),
        Report("c", "路灯坏了好几天", 32.0, 121.0, T0 + timedelta(hours=4)),
    ]
    results = Triage(tiny_model, duplicates=DuplicateIndex(RULES)).run_many(reports)
    assert [r.duplicate_of for r in results] == ["a", None, None]


def _result(category: str, urgent: bool = False, dup: str | None = None) -> TriageResult:
    return TriageResult(
        category, [(category, 0.9)], urgent, 0.9 if urgent else 0.1, [], "complaint", 0.5, duplicate_of=dup
    )


def test_metrics_on_a_hand_made_set() -> None:
    """Right answers worked out by hand: 4 of 5 categories right; urgent TP=1 FP=1 FN=1; links 2 right of 3."""
    labels = [
        ("1", "water", True, "g1"),
        ("2", "water", False, "g1"),
        ("3", "road", True, None),
        ("4", "road", False, "g2"),
        ("5", "dispute", False, "g2"),
    ]
    reports = [
        Report(
            i,
            "x",
            reported_at=T0 + timedelta(hours=n),
            labels={"category": c, "urgent": u, "dup_group": g, "request_type": "complaint"},
        )
        for n, (i, c, u, g) in enumerate(labels)
    ]
    results = [
        _result("water", urgent=True),
        _result("water", dup="1"),  # right
        _result("road", urgent=False, dup="1"),  # wrong link, missed urgent
        _result("road", urgent=True),  # false alarm; missed link to nothing (g2 starts here)
        _result("road", dup="4"),  # wrong category, right link
    ]
    e = evaluate(reports, results)
    assert e.accuracy == pytest.approx(0.8)
    # F1 per true class: water 1.0, road 2/3·1 → p=2/3 r=1 → 0.8, dispute 0 → macro (1 + 0.8 + 0) / 3.
    assert e.macro_f1 == pytest.approx(0.6)
    assert e.urgent == {"precision": 0.5, "recall": 0.5, "positives": 2}
    assert e.duplicates["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert e.duplicates["recall"] == 1.0  # two expected links (2→g1, 5→g2), both found
    assert e.request_type_accuracy == 1.0
    assert e.confusion[e.labels.index("dispute")][e.labels.index("road")] == 1


def test_the_fast_paths_give_scikit_learns_numbers(tiny_model) -> None:
    import numpy as np

    texts = ["河里漂着好多垃圾和水草，臭死了", "路灯坏了", "麦田里有人正在烧秸秆", "完全无关的文字 abc 123"]
    ours = tiny_model.vectorize(texts)
    theirs = tiny_model.vectorizer.transform(texts)
    assert np.allclose(ours.toarray(), theirs.toarray(), atol=1e-6)
    for clf in (tiny_model.category_clf, tiny_model.request_clf):
        from gridgov.triage.model import _probabilities

        assert np.allclose(_probabilities(clf, theirs), clf.predict_proba(theirs), atol=1e-6)
    from gridgov.triage.model import _urgent_probabilities, _with_cues

    stacked = tiny_model.urgent_clf.predict_proba(_with_cues(theirs, texts))[:, 1]
    assert np.allclose(_urgent_probabilities(tiny_model.urgent_clf, ours, texts), stacked, atol=1e-6)
