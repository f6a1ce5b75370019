"""Triage of one report or a batch: category, urgency, request type, place and duplicates, in one pass.

``Triage`` is the engine over explicit parts (a model, a gazetteer, a point-to-grid lookup and a duplicate
index), used by ``gridgov triage predict/evaluate`` and the bench. ``triage_report`` is the live entry point
used by intake: the current model, the areas of the database and the open cases as duplicate candidates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from gridgov.triage.corpus import Report
from gridgov.triage.duplicates import Candidate, DuplicateIndex, DuplicateMatch, DuplicateRules, sparse_row
from gridgov.triage.gazetteer import Gazetteer
from gridgov.triage.model import Prediction, TriageModel

GridLookup = Callable[[float, float], str | None]


@dataclass
class TriageResult:
    category: str
    scores: list[tuple[str, float]]
    urgent: bool
    urgent_score: float
    urgent_cues: list[str]
    request_type: str
    request_type_score: float
    grid: str | None = None
    area: str | None = None
    place_source: str = ""
    place_names: list[str] = field(default_factory=list)
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    model_version: str = ""
    #: The report's TF-IDF vector (for the duplicate search; not part of the advice).
    vector: dict[int, float] = field(default_factory=dict, repr=False, compare=False)

    @property
    def confidence(self) -> float:
        return self.scores[0][1] if self.scores else 0.0

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("vector")
        return values


def rules_from_settings() -> DuplicateRules:
    conf = settings.GRIDGOV
    return DuplicateRules(
        radius_m=float(conf["TRIAGE_DUPLICATE_RADIUS_M"]),
        window=timedelta(days=float(conf["TRIAGE_DUPLICATE_DAYS"])),
        min_similarity=float(conf["TRIAGE_DUPLICATE_MIN_SIMILARITY"]),
    )


class Triage:
    def __init__(
        self,
        model: TriageModel,
        *,
        label: str = "",
        gazetteer: Gazetteer | None = None,
        grid_lookup: GridLookup | None = None,
        duplicates: DuplicateIndex | None = None,
    ) -> None:
        self.model = model
        self.label = label
        self.gazetteer = gazetteer
        self.grid_lookup = grid_lookup
        self.duplicates = duplicates

    def locate(
        self, text: str, lat: float | None, lon: float | None
    ) -> tuple[str | None, str | None, str, list[str]]:
        """(grid, area, source, names): the grid from the point, else the area named in the text."""
        if lat is not None and lon is not None and self.grid_lookup is not None:
            grid = self.grid_lookup(lat, lon)
            if grid is not None:
                return grid, grid, "point", []
        if self.gazetteer is not None:
            match = self.gazetteer.find(text)
            if match is not None:
                return match.grid_code, match.area_code, "address", list(match.names)
        return None, None, "", []

    def _result(self, prediction: Prediction) -> TriageResult:
        return TriageResult(
            category=prediction.category,
            scores=prediction.scores,
            urgent=prediction.urgent,
            urgent_score=prediction.urgent_score,
            urgent_cues=prediction.urgent_cues,
            request_type=prediction.request_type,
            request_type_score=prediction.request_type_score,
            model_version=self.label,
        )

    def run_many(self, reports: Sequence[Report], *, remember: bool = True) -> list[TriageResult]:
        """Triage ``reports``; duplicates are looked for among the index and the earlier reports of the batch
        (by ``reported_at``, then input order), which join the index as they are seen when ``remember``."""
        texts = [r.text for r in reports]
        matrix = self.model.vectorize(texts)
        predictions = self.model.predict_many(texts, matrix)
        results = [self._result(p) for p in predictions]
        # A report without a time is taken as reported now (after every dated one of the same moment).
        now = timezone.now()
        times = [r.reported_at or now for r in reports]
        order = sorted(range(len(reports)), key=lambda i: (times[i], i))
        for i in order:
            report, result = reports[i], results[i]
            result.grid, result.area, result.place_source, result.place_names = self.locate(
                report.text, report.lat, report.lon
            )
            result.vector = sparse_row(matrix, i)
            if self.duplicates is None:
                continue
            candidate = Candidate(
                ref=report.id,
                category=result.category,
                at=times[i],
                lat=report.lat,
                lon=report.lon,
                grid=result.grid,
                vector=result.vector,
            )
            match = self.duplicates.find(candidate)
            if match is not None:
                result.duplicate_of, result.duplicate_similarity = match.ref, match.similarity
            if remember:
                self.duplicates.add(candidate)
        return results

    def run(self, report: Report) -> TriageResult:
        return self.run_many([report], remember=False)[0]


# --- live: the database --------------------------------------------------------------------------------------------
def open_case_candidates(model: TriageModel, rows: Iterable[dict[str, Any]]) -> list[Candidate]:
    """Duplicate candidates from case rows (number, category code, lat, lon, grid code, reported_at, text); the
    texts of cases this process has not seen yet are vectorised once and remembered.

    A case without a confirmed category is compared under its predicted one.
    """
    rows = list(rows)
    if not rows:
        return []
    known = _seen_cases(model)
    todo = [r for r in rows if r["number"] not in known]
    if todo:
        matrix = model.vectorize([r["text"] for r in todo])
        predicted = model.predict_many([r["text"] for r in todo], matrix)
        for i, r in enumerate(todo):
            known.put(r["number"], (sparse_row(matrix, i), predicted[i].category))
    candidates = []
    for r in rows:
        seen = known.get(r["number"])
        if seen is None:
            continue  # evicted meanwhile by another thread
        vector, guessed = seen
        candidates.append(
            Candidate(
                ref=r["number"],
                category=r["category"] or guessed,
                at=r["reported_at"],
                lat=r["lat"],
                lon=r["lon"],
                grid=r["grid"],
                vector=vector,
            )
        )
    return candidates


class _CaseVectors:
    """Vectors and predicted categories of cases already seen by this process (a case's text never changes)."""

    def __init__(self, model: TriageModel, size: int) -> None:
        self.model = model
        self.size = size
        self._items: OrderedDict[str, tuple[dict[int, float], str]] = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (waitress, gthread) share it

    def __contains__(self, number: str) -> bool:
        return number in self._items

    def get(self, number: str) -> tuple[dict[int, float], str] | None:
        with self._lock:
            value = self._items.get(number)
            if value is not None:
                self._items.move_to_end(number)
            return value

    def put(self, number: str, value: tuple[dict[int, float], str]) -> None:
        with self._lock:
            self._items[number] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_case_vectors: _CaseVectors | None = None
#: Cases whose vectors one process keeps (about 1 KB each).
CASE_VECTOR_CACHE = 50_000


def remember_case(number: str, result: TriageResult) -> None:
    """A case just created from ``result``: keep its vector, so that the next report need not compute it
    (only while the model that computed it is the current one)."""
    from gridgov.triage.registry import get_model

    loaded = get_model()
    if result.vector and result.model_version == loaded.label:
        _seen_cases(loaded.model).put(number, (result.vector, result.category))


def _seen_cases(model: TriageModel) -> _CaseVectors:
    global _case_vectors
    if _case_vectors is None or _case_vectors.model is not model:
        _case_vectors = _CaseVectors(model, CASE_VECTOR_CACHE)
    return _case_vectors


def triage_report(
    text: str,
    *,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    reported_at: datetime | None = None,
    exclude_case: int | None = None,
) -> TriageResult:
    """Triage one incoming report against the live database (coordinates in WGS-84)."""
    from gridgov.geo.index import get_grid_index
    from gridgov.triage.gazetteer import get_gazetteer
    from gridgov.triage.registry import get_model
    from gridgov.triage.selectors import duplicate_rows

    loaded = get_model()
    engine = Triage(
        loaded.model, label=loaded.label, gazetteer=get_gazetteer(), grid_lookup=get_grid_index().lookup
    )
    at = reported_at or timezone.now()
    full_text = f"{address} {text}".strip() if address else text
    result = engine.run(Report(id="", text=full_text, lat=lat, lon=lon, reported_at=at))
    rules = rules_from_settings()
    rows = duplicate_rows(lat=lat, lon=lon, grid=result.grid, at=at, rules=rules, exclude_case=exclude_case)
    candidates = open_case_candidates(loaded.model, rows)
    if candidates:
        report = Candidate(
            ref="",
            category=result.category,
            at=at,
            lat=lat,
            lon=lon,
            grid=result.grid,
            vector=result.vector,
        )
        index = DuplicateIndex(rules)
        for candidate in candidates:
            index.add(candidate)
        match: DuplicateMatch | None = index.find(report)
        if match is not None:
            result.duplicate_of, result.duplicate_similarity = match.ref, match.similarity
    return result
