"""The data the model learns from and is measured on: every file reads, every label is a code of the taxonomy,
and no test report appears in the training corpus (a test set that leaks into training measures nothing)."""

from __future__ import annotations

import json
import re

import pytest

from gridgov.cases.taxonomy import TAXONOMY_FILE
from gridgov.triage.corpus import HELDOUT_FILE, load_corpus, read_reports

TAXONOMY = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
CODES = {row["code"] for row in TAXONOMY["categories"]}
REQUEST_TYPES = set(TAXONOMY["request_types"])
TEST_SETS = sorted(HELDOUT_FILE.parent.glob("*.jsonl"))


def _plain(text: str) -> str:
    """The text without spaces and punctuation, to catch a copy that differs only in those."""
    return re.sub(r"[\W_]+", "", text)


def test_the_test_sets_are_the_expected_ones():
    assert [path.name for path in TEST_SETS] == ["heldout.jsonl", "urgency.jsonl", "urgency2.jsonl"]


def test_corpus_labels_are_taxonomy_codes():
    corpus = load_corpus()
    assert len(corpus) >= 3000
    assert {example.category for example in corpus} == CODES
    assert {example.request_type for example in corpus} - {None} <= REQUEST_TYPES


@pytest.mark.parametrize("path", TEST_SETS, ids=lambda path: path.name)
def test_test_sets_are_labelled_and_unseen_in_training(path):
    reports = read_reports(path, labelled=True)
    assert len(reports) >= 300
    for report in reports:
        assert report.labels["category"] in CODES, report.id
        assert isinstance(report.labels["urgent"], bool), report.id
        assert report.labels["request_type"] in REQUEST_TYPES, report.id
    training = {_plain(example.text) for example in load_corpus()}
    # Very short reports ("河里好多垃圾", "路灯不亮了") come out the same from two writers; longer ones do not.
    leaked = [
        report.id for report in reports if len(_plain(report.text)) >= 12 and _plain(report.text) in training
    ]
    assert leaked == []


def test_the_urgency_sets_hold_both_kinds():
    for name in ("urgency.jsonl", "urgency2.jsonl"):
        labels = [
            report.labels["urgent"] for report in read_reports(HELDOUT_FILE.parent / name, labelled=True)
        ]
        assert labels.count(True) >= 100 and labels.count(False) >= 200
