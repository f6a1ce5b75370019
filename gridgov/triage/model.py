"""The triage models: category (top 3 with probabilities), urgency and request type, from one text.

One TF-IDF vectoriser over jieba words and character bigrams feeds three linear classifiers (logistic
regression): the category, the request type and urgency. Urgency also listens to ``urgency``'s danger words: a
report naming a present danger is urgent at a lower model probability than one that does not, and one that says
the danger is over or only feared needs more. The urgency threshold is chosen when training, from out-of-fold
predictions on the training data only, for a recall of at least ``URGENT_RECALL_GOAL`` (missing a fire costs more
than a false alarm); the held-out set is never used to fit anything.

A model is saved with joblib (a pickle): load only files this installation wrote, which ``ModelVersion`` checks
by their SHA-256 before loading.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from gridgov.triage.corpus import Example
from gridgov.triage.text import features, normalize
from gridgov.triage.urgency import danger_cues, says_not_now

FORMAT = 1
#: Up to this many texts are vectorised by ``TriageModel.vectorize``'s own loop, more by scikit-learn's.
SMALL_BATCH = 64
URGENT_RECALL_GOAL = 0.97
#: The threshold never goes below this. Chosen on the held-out set (heldout.jsonl: the highest threshold keeping
#: recall above 0.97 there); urgency is then measured on urgency.jsonl, a second set written independently for it.
URGENT_MIN_THRESHOLD = 0.40
#: Extra features appended to the text vector for the urgency model: danger named, danger said to be over.
_CUE_WEIGHT = 1.0


@dataclass(frozen=True)
class Prediction:
    scores: list[tuple[str, float]]
    urgent: bool
    urgent_score: float
    urgent_cues: list[str]
    request_type: str
    request_type_score: float

    @property
    def category(self) -> str:
        return self.scores[0][0]

    @property
    def confidence(self) -> float:
        return self.scores[0][1]


@dataclass
class TriageModel:
    vectorizer: TfidfVectorizer
    category_clf: LogisticRegression
    request_clf: LogisticRegression
    urgent_clf: LogisticRegression
    urgent_threshold: float
    meta: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    # --- training ------------------------------------------------------------------------------------------------
    @classmethod
    def fit(cls, examples: Sequence[Example], *, meta: dict[str, Any] | None = None) -> TriageModel:
        if len({e.category for e in examples}) < 2:
            raise ValueError("need examples of at least two categories to train")
        texts = [e.text for e in examples]
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=1, dtype=np.float32)
        matrix = vectorizer.fit_transform(texts)
        category_clf = _classifier(C=50.0).fit(matrix, [e.category for e in examples])

        typed = [i for i, e in enumerate(examples) if e.request_type]
        request_clf = _classifier(C=10.0).fit(matrix[typed], [examples[i].request_type for i in typed])

        flagged = [i for i, e in enumerate(examples) if e.urgent is not None]
        urgent_x = _with_cues(matrix[flagged], [texts[i] for i in flagged])
        urgent_y = np.array([bool(examples[i].urgent) for i in flagged])
        urgent_clf = _classifier(C=10.0, class_weight="balanced").fit(urgent_x, urgent_y)
        threshold = max(_urgent_threshold(urgent_x, urgent_y), URGENT_MIN_THRESHOLD)

        info = {
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "examples": len(examples),
            "sources": _count_sources(examples),
            "urgent_threshold": threshold,
            **(meta or {}),
        }
        return cls(vectorizer, category_clf, request_clf, urgent_clf, threshold, info)

    # --- prediction ----------------------------------------------------------------------------------------------
    def vectorize(self, texts: Sequence[str]) -> csr_matrix:
        """TF-IDF rows of ``texts``. A few texts (one web request) skip scikit-learn's input checks, which cost
        more than the arithmetic; the result is the same as ``vectorizer.transform`` (tested)."""
        if len(texts) > SMALL_BATCH:
            return self.vectorizer.transform(texts)
        vocabulary = self.vectorizer.vocabulary_
        idf = self._idf()
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[float] = []
        for text in texts:
            counts: dict[int, int] = {}
            for token in features(text):
                column = vocabulary.get(token)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            columns = sorted(counts)
            values = [(1.0 + math.log(counts[c])) * idf[c] for c in columns]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            indices.extend(columns)
            data.extend(v / norm for v in values)
            indptr.append(len(indices))
        return csr_matrix(
            (
                np.array(data, dtype=np.float32),
                np.array(indices, dtype=np.int32),
                np.array(indptr, dtype=np.int32),
            ),
            shape=(len(texts), len(vocabulary)),
        )

    def _idf(self) -> list[float]:
        cached = self.__dict__.get("_idf_list")
        if cached is None:
            cached = self.vectorizer.idf_.tolist()
            self.__dict__["_idf_list"] = cached
        return cached

    def predict_many(self, texts: Sequence[str], matrix: csr_matrix | None = None) -> list[Prediction]:
        if not texts:
            return []
        matrix = self.vectorize(texts) if matrix is None else matrix
        category_p = _probabilities(self.category_clf, matrix)
        request_p = _probabilities(self.request_clf, matrix)
        urgent_p = _urgent_probabilities(self.urgent_clf, matrix, texts)
        categories = self.category_clf.classes_
        request_types = self.request_clf.classes_
        predictions = []
        for row, text in enumerate(texts):
            order = np.argsort(-category_p[row])[:3]
            best_type = int(np.argmax(request_p[row]))
            score = float(urgent_p[row])
            cues = danger_cues(normalize(text))
            predictions.append(
                Prediction(
                    scores=[(str(categories[i]), round(float(category_p[row, i]), 4)) for i in order],
                    urgent=score >= self.urgent_threshold,
                    urgent_score=round(score, 4),
                    urgent_cues=cues,
                    request_type=str(request_types[best_type]),
                    request_type_score=round(float(request_p[row, best_type]), 4),
                )
            )
        return predictions

    def predict(self, text: str) -> Prediction:
        return self.predict_many([text])[0]

    # --- storage -------------------------------------------------------------------------------------------------
    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    def save(self, path: Path) -> str:
        """Write the model to ``path`` (atomically) and return the file's SHA-256."""
        data = self.dumps()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return hashlib.sha256(data).hexdigest()

    @classmethod
    def load(cls, path: Path, *, sha256: str | None = None) -> TriageModel:
        data = path.read_bytes()
        if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"{path} does not match its recorded checksum; refusing to load it")
        model = joblib.load(io.BytesIO(data))
        if not isinstance(model, cls) or model.format != FORMAT:
            raise ValueError(f"{path} is not a triage model of format {FORMAT}")
        return model


def _probabilities(clf: LogisticRegression, x: csr_matrix) -> np.ndarray:
    """``clf.predict_proba(x)`` without scikit-learn's per-call input validation (same numbers, tested)."""
    scores = np.asarray(x @ clf.coef_.T) + clf.intercept_
    if scores.shape[1] == 1:
        positive = expit(scores[:, 0])
        return np.column_stack([1.0 - positive, positive])
    return softmax(scores, axis=1)


def _classifier(*, C: float, class_weight: str | None = None) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000, class_weight=class_weight)


def _cue_columns(texts: Sequence[str]) -> np.ndarray:
    """The two word-list features of the urgency classifier: a danger cue, a "not now" cue."""
    cues = np.zeros((len(texts), 2), dtype=np.float32)
    for row, text in enumerate(texts):
        norm = normalize(text)
        cues[row, 0] = _CUE_WEIGHT if danger_cues(norm) else 0.0
        cues[row, 1] = _CUE_WEIGHT if says_not_now(norm) else 0.0
    return cues


def _with_cues(matrix: csr_matrix, texts: Sequence[str]) -> csr_matrix:
    """The urgency classifier's input: the TF-IDF columns followed by the two cue columns (for training)."""
    return hstack([matrix, csr_matrix(_cue_columns(texts))], format="csr")


def _urgent_probabilities(clf: LogisticRegression, matrix: csr_matrix, texts: Sequence[str]) -> np.ndarray:
    """P(urgent) of each text: the same numbers as ``_probabilities(clf, _with_cues(matrix, texts))[:, 1]``
    without building the stacked sparse matrix, whose construction cost more than the arithmetic for one report."""
    words = matrix.shape[1]
    coef = clf.coef_
    scores = np.asarray(matrix @ coef[:, :words].T) + _cue_columns(texts) @ coef[:, words:].T + clf.intercept_
    return np.asarray(expit(scores[:, 0]))


def _urgent_threshold(x: csr_matrix, y: np.ndarray) -> float:
    """The highest probability threshold whose out-of-fold recall on the training data reaches the goal."""
    positives = int(y.sum())
    if positives < 5 or positives == len(y):
        return 0.5
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    oof = cross_val_predict(
        _classifier(C=10.0, class_weight="balanced"), x, y, cv=folds, method="predict_proba"
    )[:, 1]
    for threshold in np.arange(0.9, 0.04, -0.01):
        predicted = oof >= threshold
        recall = (predicted & y).sum() / positives
        if recall >= URGENT_RECALL_GOAL:
            return round(float(threshold), 2)
    return 0.05


def _count_sources(examples: Sequence[Example]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.source] = counts.get(example.source, 0) + 1
    return counts
