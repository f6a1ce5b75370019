"""The labelled data the triage models learn from and are measured on.

* ``data/corpus/<category>.jsonl``: the training corpus, handwritten reports in the voices of residents, grid
  workers and hotline operators (one object per line: text, category, urgent, request_type, voice).
* ``data/heldout/heldout.jsonl``: the held-out set, written separately by someone who never saw the corpus, with
  places, times and duplicate groups; it measures the models and guards against a retrained model that is worse.
* The center's own work: every case whose category a person confirmed or corrected (see ``selectors``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"
HELDOUT_FILE = DATA_DIR / "heldout" / "heldout.jsonl"


@dataclass(frozen=True)
class Example:
    """One labelled report. ``urgent`` and ``request_type`` are None where the source does not say."""

    text: str
    category: str
    urgent: bool | None = None
    request_type: str | None = None
    source: str = "corpus"


@dataclass
class Report:
    """One report to triage (a line of ``triage predict``'s input, or a labelled line of ``evaluate``)."""

    id: str
    text: str
    lat: float | None = None
    lon: float | None = None
    reported_at: datetime | None = None
    channel: str | None = None
    labels: dict[str, Any] = field(default_factory=dict)


class InputError(ValueError):
    """A line of an input file that cannot be read; the message says which line and why."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-empty line; a line that is not a JSON object raises ``InputError``."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path.name}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(value, dict):
                raise InputError(f"{path.name}:{number}: each line must be a JSON object")
            yield number, value


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.jsonl"))


def load_corpus() -> list[Example]:
    examples = []
    for path in corpus_files():
        for _, row in read_jsonl(path):
            examples.append(
                Example(
                    text=str(row["text"]),
                    category=str(row["category"]),
                    urgent=bool(row.get("urgent", False)),
                    request_type=row.get("request_type"),
                    source="corpus",
                )
            )
    return examples


def corpus_digest(paths: Iterable[Path] | None = None) -> str:
    """A short hash of the corpus files: a model trained on other data is a different model."""
    digest = hashlib.sha256()
    for path in paths if paths is not None else corpus_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not an ISO 8601 time: {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _coordinate(row: dict[str, Any], key: str) -> float | None:
    value: Any = row.get(key)
    if value is None or value == "":
        return None
    return float(value)


def read_reports(path: Path, *, labelled: bool = False) -> list[Report]:
    """The reports of a JSON Lines file; every bad line raises ``InputError`` naming the line and the field."""
    reports = []
    seen: set[str] = set()
    for number, row in read_jsonl(path):
        where = f"{path.name}:{number}"
        if "id" not in row or str(row["id"]).strip() == "":
            raise InputError(f"{where}: missing field 'id'")
        ident = str(row["id"])
        if ident in seen:
            raise InputError(f"{where}: id {ident!r} appears twice")
        seen.add(ident)
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{where}: field 'text' must be a non-empty string")
        try:
            lat, lon = _coordinate(row, "lat"), _coordinate(row, "lon")
            reported_at = parse_time(row.get("reported_at"))
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}") from exc
        if (lat is None) != (lon is None):
            raise InputError(f"{where}: give both 'lat' and 'lon' or neither")
        labels: dict[str, Any] = {}
        if labelled:
            if "category" not in row:
                raise InputError(f"{where}: missing field 'category'")
            labels = {k: row.get(k) for k in ("category", "urgent", "request_type", "dup_group", "grid")}
        reports.append(
            Report(
                id=ident,
                text=text,
                lat=lat,
                lon=lon,
                reported_at=reported_at,
                channel=row.get("channel"),
                labels=labels,
            )
        )
    return reports
