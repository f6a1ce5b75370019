from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gridgov.accounts.actions import ensure_system_user
from gridgov.core.models import AuditEntry
from gridgov.triage import actions, registry
from gridgov.triage.models import ModelVersion
from gridgov.triage.tests.conftest import TINY

GOOD = {"macro_f1": 0.9, "accuracy": 0.91, "urgent_recall": 0.96}
WORSE = {"macro_f1": 0.8, "accuracy": 0.85, "urgent_recall": 0.96}


@pytest.fixture
def model_dir(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_model) -> Path:
    """Versions go to a temporary directory; training uses the tiny set (the real corpus takes seconds)."""
    settings.GRIDGOV = {**settings.GRIDGOV, "TRIAGE_MODEL_DIR": str(tmp_path)}
    monkeypatch.setattr(actions, "load_corpus", lambda: list(TINY))
    monkeypatch.setattr(
        registry, "bootstrap_model", lambda: registry.LoadedModel("bootstrap-tiny", tiny_model)
    )
    return tmp_path


@pytest.fixture
def scores(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, float]]:
    """Held-out scores handed out in order: first the new model's, then the current one's."""
    queue: list[dict[str, float]] = []
    monkeypatch.setattr(actions, "heldout_scores", lambda model, label="": queue.pop(0))
    return queue


@pytest.mark.django_db
def test_train_makes_a_better_model_current(model_dir: Path, scores: list[dict[str, float]]) -> None:
    scores += [GOOD, WORSE]
    outcome = actions.train_model(actor=ensure_system_user())
    assert outcome.replaced and outcome.reason == "better"
    version = ModelVersion.objects.get(is_current=True)
    assert version.version == 1 and (model_dir / version.file_name).exists()
    assert version.metrics["heldout"] == GOOD and version.corpus_examples == len(TINY)
    assert AuditEntry.objects.filter(verb="triage.train").count() == 1
    registry.model_changed()
    assert registry.get_model().label == "v1"

    scores += [WORSE, GOOD]
    outcome = actions.train_model(actor=ensure_system_user())
    assert outcome.version is None and not outcome.replaced
    assert ModelVersion.objects.get(is_current=True).version == 1
    assert AuditEntry.objects.filter(verb="triage.train_refused").count() == 1

    scores += [WORSE, GOOD]
    outcome = actions.train_model(actor=ensure_system_user(), force=True)
    assert outcome.replaced and outcome.reason == "forced"
    assert ModelVersion.objects.get(is_current=True).version == 2


@pytest.mark.django_db
def test_train_if_missing_does_nothing_when_a_version_is_current(
    model_dir: Path, scores: list[dict[str, float]], capsys: pytest.CaptureFixture[str]
) -> None:
    scores += [GOOD, WORSE]
    call_command("triage", "train", "--if-missing")
    assert ModelVersion.objects.get(is_current=True).version == 1
    call_command("triage", "train", "--if-missing")  # no scores queued: training would fail
    assert ModelVersion.objects.count() == 1
    assert "v1" in capsys.readouterr().out


@pytest.mark.django_db
def test_train_if_missing_never_fails_a_set_up_script(
    model_dir: Path, scores: list[dict[str, float]]
) -> None:
    scores += [WORSE, GOOD]
    call_command("triage", "train", "--if-missing")  # refused: the bootstrap model stays, no error
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_urgent_recall_may_not_drop(model_dir: Path, scores: list[dict[str, float]]) -> None:
    scores += [{**GOOD, "urgent_recall": 0.90}, GOOD]
    assert actions.train_model(actor=ensure_system_user()).version is None


@pytest.mark.django_db
def test_the_command_refuses_a_worse_model(model_dir: Path, scores: list[dict[str, float]]) -> None:
    scores += [WORSE, GOOD]
    with translation.override("zh-hans"), pytest.raises(CommandError, match="更差"):
        call_command("triage", "train", "--no-history")
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_a_tampered_model_file_is_not_loaded(
    model_dir: Path, scores: list[dict[str, float]], caplog: pytest.LogCaptureFixture
) -> None:
    scores += [GOOD, WORSE]
    version = actions.train_model(actor=ensure_system_user()).version
    assert version is not None
    path = model_dir / version.file_name
    path.write_bytes(path.read_bytes() + b"tampered")
    with caplog.at_level(logging.ERROR, logger="gridgov.triage.registry"):
        loaded = registry.load_current()
    assert loaded.label.startswith("bootstrap-")
    assert "cannot be loaded" in caplog.text


@pytest.mark.django_db
def test_confirmed_categories_become_training_examples(region) -> None:
    from gridgov.accounts.choices import Role
    from gridgov.accounts.models import User
    from gridgov.cases.actions import accept_case, report_case
    from gridgov.testing.factories import UserFactory, category, grant
    from gridgov.triage.selectors import labelled_history

    dispatcher: User = UserFactory()  # type: ignore[assignment]
    grant(dispatcher, Role.DISPATCHER, region.towns[0])
    confirmed = report_case(actor=None, channel="web", text="河里有死鱼", lat=32.205, lon=120.905)
    accept_case(actor=dispatcher, case=confirmed, category=category("water"))
    report_case(actor=None, channel="web", text="还没受理的", lat=32.205, lon=120.905)
    history = labelled_history()
    assert [(e.text, e.category, e.source) for e in history] == [("河里有死鱼", "water", "history")]
