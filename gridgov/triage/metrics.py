"""How good is triage: category accuracy and macro-F1, urgency and duplicate precision/recall.

Duplicate links are judged against ``dup_group`` labels: a predicted link (report → earlier report) is right when
both are in the same group; a report is expected to be linked when an earlier report of its group exists (by
``reported_at``, then file order). A link to an open case rather than a line of the file is not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from gridgov.triage.corpus import Report
from gridgov.triage.engine import TriageResult


@dataclass
class Evaluation:
    n: int
    accuracy: float
    macro_f1: float
    per_category: dict[str, dict[str, float]]
    labels: list[str]
    confusion: list[list[int]]
    urgent: dict[str, Any] = field(default_factory=dict)
    duplicates: dict[str, Any] = field(default_factory=dict)
    request_type_accuracy: float | None = None
    grid_accuracy: float | None = None

    def headline(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "urgent_precision": self.urgent.get("precision"),
            "urgent_recall": self.urgent.get("recall"),
            "duplicate_precision": self.duplicates.get("precision"),
            "duplicate_recall": self.duplicates.get("recall"),
            "request_type_accuracy": self.request_type_accuracy,
            "grid_accuracy": self.grid_accuracy,
        }


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def duplicate_scores(reports: Sequence[Report], results: Sequence[TriageResult]) -> dict[str, Any]:
    group = {r.id: r.labels.get("dup_group") for r in reports}
    # As the engine does: a report without a time counts as the latest.
    latest = datetime.max.replace(tzinfo=UTC)
    order = sorted(range(len(reports)), key=lambda i: (reports[i].reported_at or latest, i))
    seen_groups: set[str] = set()
    expected = predicted = correct = found = 0
    for i in order:
        report, result = reports[i], results[i]
        g = group.get(report.id)
        should_link = bool(g) and g in seen_groups
        link = result.duplicate_of
        if link is not None and link in group:
            predicted += 1
            if g and group[link] == g:
                correct += 1
                if should_link:
                    found += 1
        if should_link:
            expected += 1
        if g:
            seen_groups.add(g)
    return {
        "precision": _ratio(correct, predicted),
        "recall": _ratio(found, expected),
        "links_predicted": predicted,
        "links_expected": expected,
    }


def evaluate(reports: Sequence[Report], results: Sequence[TriageResult]) -> Evaluation:
    truth = [str(r.labels["category"]) for r in reports]
    guess = [res.category for res in results]
    labels = sorted(set(truth) | set(guess))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, guess, labels=labels, zero_division=0
    )
    per_category = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    evaluation = Evaluation(
        n=len(reports),
        accuracy=float(accuracy_score(truth, guess)),
        macro_f1=float(f1_score(truth, guess, labels=sorted(set(truth)), average="macro", zero_division=0)),
        per_category=per_category,
        labels=labels,
        confusion=confusion_matrix(truth, guess, labels=labels).tolist(),
    )
    flagged = [
        (bool(r.labels["urgent"]), res.urgent)
        for r, res in zip(reports, results, strict=True)
        if r.labels.get("urgent") is not None
    ]
    if flagged:
        tp = sum(1 for t, p in flagged if t and p)
        evaluation.urgent = {
            "precision": _ratio(tp, sum(1 for _, p in flagged if p)),
            "recall": _ratio(tp, sum(1 for t, _ in flagged if t)),
            "positives": sum(1 for t, _ in flagged if t),
        }
    typed = [
        (r.labels["request_type"], res.request_type)
        for r, res in zip(reports, results, strict=True)
        if r.labels.get("request_type")
    ]
    if typed:
        evaluation.request_type_accuracy = _ratio(sum(1 for t, p in typed if t == p), len(typed))
    placed = [
        (r.labels["grid"], res.grid) for r, res in zip(reports, results, strict=True) if r.labels.get("grid")
    ]
    if placed:
        evaluation.grid_accuracy = _ratio(sum(1 for t, p in placed if t == p), len(placed))
    if any(r.labels.get("dup_group") for r in reports):
        evaluation.duplicates = duplicate_scores(reports, results)
    return evaluation


def format_report(evaluation: Evaluation) -> str:
    lines = [
        f"reports: {evaluation.n}",
        f"category accuracy: {evaluation.accuracy:.4f}",
        f"category macro-F1: {evaluation.macro_f1:.4f}",
    ]
    if evaluation.urgent:
        u = evaluation.urgent
        lines.append(
            f"urgent precision: {u['precision']}  recall: {u['recall']}  (urgent reports: {u['positives']})"
        )
    if evaluation.duplicates:
        d = evaluation.duplicates
        lines.append(
            f"duplicate precision: {d['precision']}  recall: {d['recall']}  "
            f"(links predicted: {d['links_predicted']}, expected: {d['links_expected']})"
        )
    if evaluation.request_type_accuracy is not None:
        lines.append(f"request type accuracy: {evaluation.request_type_accuracy}")
    if evaluation.grid_accuracy is not None:
        lines.append(f"grid accuracy: {evaluation.grid_accuracy}")
    lines.append("")
    lines.append(f"{'category':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for label, row in evaluation.per_category.items():
        lines.append(
            f"{label:<16}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['f1']:>10.3f}{row['support']:>9}"
        )
    lines.append("")
    lines.append("confusion matrix (rows: true, columns: predicted)")
    short = [label[:5] for label in evaluation.labels]
    lines.append(" " * 16 + "".join(f"{s:>6}" for s in short))
    for label, counts in zip(evaluation.labels, evaluation.confusion, strict=True):
        lines.append(f"{label:<16}" + "".join(f"{v:>6}" for v in counts))
    return "\n".join(lines)
