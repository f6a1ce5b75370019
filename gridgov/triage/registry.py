"""Which model answers: the current ``ModelVersion``, or a bootstrap model trained from the corpus alone.

A fresh installation has no trained version yet; the first triage trains one from the corpus in the repository
(a few seconds), writes it to the model directory under the corpus digest and reuses it afterwards, so triage
works on a freshly migrated database. ``gridgov triage train`` creates numbered versions.

Each process keeps the loaded model and re-reads the current version's stamp (in the database, ``core.stamps``) at
most every ``RECHECK_SECONDS`` (``gridgov triage train`` in another process changes it).
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from gridgov.core.stamps import Stamped
from gridgov.triage.corpus import corpus_digest, load_corpus
from gridgov.triage.model import TriageModel

logger = logging.getLogger(__name__)

STAMP_KEY = "gridgov:triage:model-stamp"
RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class LoadedModel:
    label: str
    model: TriageModel


def model_dir() -> Path:
    return Path(settings.GRIDGOV["TRIAGE_MODEL_DIR"])


def recipe_digest() -> str:
    """A short hash of the code that turns text into a model: a change to it makes a new bootstrap model."""
    import hashlib

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("model.py", "text.py", "urgency.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:8]


def bootstrap_model() -> LoadedModel:
    """The corpus-only model, trained once per corpus and training code and kept on disk."""
    digest = f"{corpus_digest()}-{recipe_digest()}"
    path = model_dir() / f"bootstrap-{digest}.joblib"
    if path.exists():
        try:
            return LoadedModel(f"bootstrap-{digest}", TriageModel.load(path))
        except Exception:
            logger.warning("triage: cannot read %s, training it again", path, exc_info=True)
    model = TriageModel.fit(load_corpus(), meta={"corpus_digest": digest})
    try:
        model.save(path)
    except OSError:
        logger.warning("triage: cannot write %s; the model stays in memory only", path, exc_info=True)
    return LoadedModel(f"bootstrap-{digest}", model)


def load_current() -> LoadedModel:
    from gridgov.triage.models import ModelVersion

    current = ModelVersion.objects.filter(is_current=True).first()
    if current is not None:
        path = model_dir() / current.file_name
        try:
            return LoadedModel(f"v{current.version}", TriageModel.load(path, sha256=current.sha256))
        except (OSError, ValueError):
            logger.error(
                "triage: model v%s cannot be loaded from %s; using the bootstrap model", current, path
            )
    return bootstrap_model()


def _load_for_serving() -> LoadedModel:
    """The current model, with jieba's dictionary loaded, both kept out of the garbage collector's way.

    The model and the dictionary are a few hundred thousand Python objects that live as long as the process; a
    full collection walked all of them (about 55 ms, with every queued request waiting). ``gc.freeze`` moves what
    exists now out of the collector's generations; ``gc.unfreeze`` first lets a model being replaced be collected.
    """
    from gridgov.triage.text import ensure_jieba

    gc.unfreeze()
    loaded = load_current()
    ensure_jieba()
    gc.freeze()
    return loaded


_stamped: Stamped[LoadedModel] = Stamped(STAMP_KEY, _load_for_serving, recheck_seconds=RECHECK_SECONDS)


def get_model() -> LoadedModel:
    """The model this process answers with, reloaded when another process changed the current version."""
    return _stamped.get()


def model_changed() -> None:
    """Every process loads the current version on its next triage (this one at once)."""
    _stamped.changed()


def forget_model() -> None:
    """This process loads the current version on its next triage, whatever the stamp says (tests)."""
    _stamped.forget()
