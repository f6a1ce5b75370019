"""``gridgov triage train|predict|evaluate``: the triage engine from the command line.

* ``train``: retrain from the corpus plus the categories people confirmed; the new version becomes current only if
  it scores at least as well on the held-out set (``--force`` overrides, and says so).
* ``predict --input reports.jsonl --output out.jsonl``: one output line per input line (same order) with the
  category and top-3 scores, urgency, request type, grid and ``duplicate_of`` (an earlier line's id, by
  ``reported_at``, or an open case's number, or null). Works on a freshly migrated database.
* ``evaluate --input labelled.jsonl``: accuracy, macro-F1, per-category precision/recall, the confusion matrix,
  urgency and duplicate precision/recall (``--json`` for machines).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gridgov.accounts.selectors import command_actor
from gridgov.triage.corpus import HELDOUT_FILE, InputError, read_reports
from gridgov.triage.metrics import evaluate, format_report
from gridgov.triage.selectors import batch_engine


class Command(BaseCommand):
    help = "Train, run and measure the triage engine."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="retrain from the corpus and confirmed cases")
        train.add_argument("--actor", help="username to act as (default: the system account)")
        train.add_argument("--no-history", action="store_true", help="train on the corpus only")
        train.add_argument("--force", action="store_true", help="replace the current model even if worse")
        train.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a trained version is current (set-up scripts)",
        )
        predict = sub.add_parser("predict", help="triage the reports of a JSON Lines file")
        predict.add_argument("--input", required=True, type=Path)
        predict.add_argument(
            "--output", required=True, type=Path, help="JSON Lines file to write ('-': stdout)"
        )
        predict.add_argument(
            "--no-open-cases", action="store_true", help="look for duplicates only inside the file"
        )
        evaluate_ = sub.add_parser("evaluate", help="measure triage on a labelled JSON Lines file")
        evaluate_.add_argument("--input", type=Path, default=HELDOUT_FILE)
        evaluate_.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            self._train(options)
        elif action == "predict":
            self._predict(options)
        else:
            self._evaluate(options)

    def _read(self, path: Path, *, labelled: bool) -> list[Any]:
        if not path.exists():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        try:
            return read_reports(path, labelled=labelled)
        except InputError as exc:
            raise CommandError(str(exc)) from exc

    def _train(self, options: dict[str, Any]) -> None:
        from gridgov.triage.actions import train_model
        from gridgov.triage.models import ModelVersion

        if options["if_missing"]:
            current = ModelVersion.objects.filter(is_current=True).first()
            if current is not None:
                self.stdout.write(
                    _("Model v%(version)d is current; nothing to do.") % {"version": current.version}
                )
                return
        outcome = train_model(
            actor=command_actor(options.get("actor")),
            use_history=not options["no_history"],
            force=options["force"],
        )
        self.stdout.write(
            _("Held-out scores of the current model (%(label)s): %(scores)s")
            % {"label": outcome.current_label, "scores": json.dumps(outcome.current_scores)}
        )
        self.stdout.write(
            _("Held-out scores of the new model: %(scores)s") % {"scores": json.dumps(outcome.new_scores)}
        )
        if outcome.version is None:
            refused = _(
                "The new model scores worse on the held-out set; the current model stays (use --force to replace it)."
            )
            if options["if_missing"]:
                # A set-up script only needs a working model, and the bootstrap model is one.
                self.stderr.write(refused)
                return
            raise CommandError(refused)
        self.stdout.write(_("Model v%(version)d is now current.") % {"version": outcome.version.version})

    def _predict(self, options: dict[str, Any]) -> None:
        reports = self._read(options["input"], labelled=False)
        engine = batch_engine(with_open_cases=not options["no_open_cases"])
        results = engine.run_many(reports)
        out = sys.stdout if str(options["output"]) == "-" else options["output"].open("w", encoding="utf-8")
        try:
            for report, result in zip(reports, results, strict=True):
                line = {
                    "id": report.id,
                    "category": result.category,
                    "scores": [[code, score] for code, score in result.scores],
                    "urgent": result.urgent,
                    "request_type": result.request_type,
                    "grid": result.grid,
                    "duplicate_of": result.duplicate_of,
                }
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
        if out is not sys.stdout:
            self.stderr.write(
                _("%(count)d reports triaged with model %(label)s.")
                % {"count": len(reports), "label": engine.label}
            )

    def _evaluate(self, options: dict[str, Any]) -> None:
        reports = self._read(options["input"], labelled=True)
        engine = batch_engine(with_open_cases=False)
        evaluation = evaluate(reports, engine.run_many(reports))
        if options["json"]:
            payload = {
                **evaluation.headline(),
                "per_category": evaluation.per_category,
                "model": engine.label,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_("Model: %(label)s") % {"label": engine.label})
            self.stdout.write(format_report(evaluation))
