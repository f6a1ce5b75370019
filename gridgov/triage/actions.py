"""Writes of the triage app: the advice recorded on a case, and training a new model version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gridgov.accounts.models import User
from gridgov.cases.models import Case
from gridgov.core.audit import record
from gridgov.geo.index import GridIndex
from gridgov.triage.corpus import HELDOUT_FILE, corpus_digest, load_corpus, read_reports
from gridgov.triage.duplicates import DuplicateIndex
from gridgov.triage.engine import Triage, TriageResult, rules_from_settings
from gridgov.triage.gazetteer import Gazetteer
from gridgov.triage.metrics import evaluate
from gridgov.triage.model import TriageModel
from gridgov.triage.models import ModelVersion, Suggestion
from gridgov.triage.registry import load_current, model_changed, model_dir
from gridgov.triage.selectors import labelled_history


def record_suggestion(*, case: Case, result: TriageResult, applied: list[str]) -> Suggestion:
    """Keep triage's advice on a new case (called inside the intake transaction that created the case)."""
    duplicate = None
    if result.duplicate_of:
        duplicate = (
            Case.objects.filter(number=result.duplicate_of)
            .exclude(pk=case.pk)
            .values_list("pk", flat=True)
            .first()
        )
    return Suggestion.objects.create(
        case=case,
        model_version=result.model_version,
        category=result.category,
        scores=[[code, score] for code, score in result.scores],
        urgent=result.urgent,
        urgent_score=result.urgent_score,
        urgent_cues=result.urgent_cues,
        request_type=result.request_type,
        request_type_score=result.request_type_score,
        place_source=result.place_source,
        place_names=result.place_names,
        duplicate_of_id=duplicate,
        duplicate_similarity=result.duplicate_similarity if duplicate is not None else None,
        applied=applied,
    )


# --- training ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainOutcome:
    """What ``train_model`` did: the new version (None when refused), both models' held-out scores, why."""

    version: ModelVersion | None
    new_scores: dict[str, Any]
    current_scores: dict[str, Any]
    current_label: str
    replaced: bool
    reason: str


def heldout_scores(model: TriageModel, label: str = "") -> dict[str, Any]:
    """The model's scores on the held-out set (category, urgency, request type, duplicates within the set)."""
    reports = read_reports(HELDOUT_FILE, labelled=True)
    # The held-out set's places are the demo region's: with those areas in the database the grid is measured
    # too; without them (another region) it is left out rather than reported as 0.
    grid_index = GridIndex.from_database()
    gazetteer = Gazetteer.from_database()
    engine = Triage(
        model,
        label=label,
        gazetteer=gazetteer if len(gazetteer) else None,
        grid_lookup=grid_index.lookup if len(grid_index) else None,
        duplicates=DuplicateIndex(rules_from_settings()),
    )
    scores = evaluate(reports, engine.run_many(reports)).headline()
    if not len(grid_index):
        scores["grid_accuracy"] = None
    return scores


def _better_or_equal(new: dict[str, Any], current: dict[str, Any]) -> bool:
    """Not worse on the held-out set: macro-F1 first, then accuracy; urgent recall may not drop."""
    key = ("macro_f1", "accuracy")
    if tuple(new[k] for k in key) < tuple(current[k] for k in key):
        return False
    return (new.get("urgent_recall") or 0) >= (current.get("urgent_recall") or 0) - 0.01


def train_model(*, actor: User, use_history: bool = True, force: bool = False) -> TrainOutcome:
    """Retrain from the corpus plus the categories people confirmed, and make it current unless it is worse.

    The comparison is on the held-out set, which is never trained on. ``force`` replaces the current model even
    when the new one scores worse (the refusal is then recorded in the audit trail with the scores).
    """
    digest = corpus_digest()
    corpus = load_corpus()
    history = labelled_history() if use_history else []
    model = TriageModel.fit([*corpus, *history], meta={"corpus_digest": digest})
    new_scores = heldout_scores(model)
    current = load_current()
    current_scores = heldout_scores(current.model, current.label)
    better = _better_or_equal(new_scores, current_scores)
    if not better and not force:
        record(
            actor=actor,
            verb="triage.train_refused",
            summary=f"new model scores worse than {current.label} on the held-out set",
            data={"new": new_scores, "current": current_scores, "history_examples": len(history)},
        )
        return TrainOutcome(None, new_scores, current_scores, current.label, False, "worse")

    with transaction.atomic():
        last = ModelVersion.objects.select_for_update().order_by("-version").first()
        number = (last.version if last else 0) + 1
        file_name = f"triage-v{number}.joblib"
        sha = model.save(model_dir() / file_name)
        ModelVersion.objects.filter(is_current=True).update(is_current=False)
        version = ModelVersion.objects.create(
            version=number,
            created_by=actor,
            file_name=file_name,
            sha256=sha,
            corpus_digest=digest,
            corpus_examples=len(corpus),
            history_examples=len(history),
            metrics={"heldout": new_scores, "replaced": current.label, "replaced_scores": current_scores},
            is_current=True,
        )
        record(
            actor=actor,
            verb="triage.train",
            target=version,
            summary=f"triage model v{number} replaces {current.label}",
            data={"heldout": new_scores, "forced": force and not better, "history_examples": len(history)},
        )
        transaction.on_commit(model_changed)
    return TrainOutcome(
        version, new_scores, current_scores, current.label, True, "forced" if not better else "better"
    )
