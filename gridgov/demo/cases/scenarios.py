"""The scenarios of the demo cases: each ends a case in one status, by the steps of ``walk._Walk``."""

from __future__ import annotations

from datetime import timedelta

from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Satisfaction
from gridgov.cases.models import TimeRequest
from gridgov.demo.cases.problems import CONSULT
from gridgov.demo.cases.texts import (
    CENTER_COMMENTS,
    GRID_COMMENTS,
    REJECT_CONSULT_NOTE,
    REJECT_NOTES,
)
from gridgov.demo.cases.walk import _Walk


class _Scenarios(_Walk):
    """One case walked through the history its scenario (``plan.SCENARIOS``) names."""

    def run(self) -> None:
        getattr(self, f"_{self.plan.scenario}")()

    def _closed_rated(self) -> None:
        self.to_department()
        self.sign()
        if self.rng.random() < 0.15:
            self.wait_days(1, 3)
            self.urge()
        self.resolve()
        self.verify()
        self.conclude()

    def _closed_in_grid(self) -> None:
        self.report()
        self.merge_duplicate()
        if self.rng.random() < 0.3:
            self.wait(30, 600, office=True)
            self.comment(self.cast.grid_worker(self.plan.grid), self.pick(GRID_COMMENTS))
        self.resolve_in_grid()
        self.verify(in_grid=True)
        self.conclude()

    def _closed_rework(self) -> None:
        self.to_department()
        self.sign()
        self.resolve()
        self.verify(ok=False)
        self.resolve(days=(0.5, 3))
        self.verify()
        self.conclude()

    def _closed_reopened(self) -> None:
        self.full()
        self.rate(Satisfaction.DISSATISFIED)
        self.dispatch()
        self.sign()
        self.resolve()
        self.verify()
        self.rate(Satisfaction.SATISFIED if self.rng.random() < 0.6 else Satisfaction.BASICALLY)

    def _closed_extension(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_EXTENSION)
        if self.rng.random() < 0.5:
            self.wait_days(1, 3)
            self.supervise(days=4)
        self.resolve(days=(2, 8))
        self.verify()
        self.conclude()

    def _closed_district(self) -> None:
        self.report()
        self.escalate()
        self.accept()
        self.dispatch()
        self.sign()
        self.resolve(days=(2, 8))
        self.verify()
        self.conclude()

    def _closed_returned(self) -> None:
        self.to_department(wrong_first=True)
        self.sign()
        self.resolve()
        self.verify()
        self.conclude()

    def _closed_suspended(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_SUSPENSION)
        self.resume()
        self.resolve()
        self.verify()
        self.conclude()

    def _verified(self) -> None:
        self.full()

    def _resolved(self) -> None:
        if self.plan.in_grid:
            self.report()
            self.resolve_in_grid()
        else:
            self.to_department()
            self.sign()
            self.resolve()

    def _in_progress(self) -> None:
        self.to_department()
        self.sign()
        if self.rng.random() < 0.3:
            self.wait_days(0.5, 2)
            self.urge()
        elif self.rng.random() < 0.25:
            self.wait(60, 600)
            self.supervise(days=self.rng.uniform(2, 5))
        if self.rng.random() < 0.2 and self.case.reporter_phone:
            self.wait(60, 600)
            self.comment(self.center(), self.pick(CENTER_COMMENTS), public=True)

    def _in_progress_red(self) -> None:
        self.to_department()
        self.sign()
        self.wait_days(self.plan.category.sla_working_days * 0.8, self.plan.category.sla_working_days * 1.4)
        self.urge()
        self.wait_days(1, 3)
        if not self.supervise(days=3):
            self.urge()

    def _in_progress_yellow(self) -> None:
        self.report()
        self.accept()
        self.dispatch()
        self.sign()

    def _in_progress_rework(self) -> None:
        self.to_department()
        self.sign()
        self.resolve()
        self.verify(ok=False)

    def _in_progress_extension(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_EXTENSION)

    def _suspended(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_SUSPENSION)

    def _dispatched(self) -> None:
        self.to_department()
        if self.clock.limit - self.clock.now > timedelta(hours=20):
            self.wait(600, 1200)
            self.urge()

    def _dispatched_returned(self) -> None:
        self.to_department(wrong_first=True)

    def _accepted(self) -> None:
        self.report()
        self.accept()
        if self.rng.random() < 0.3:
            self.wait(10, 120)
            self.comment(self.center(), self.pick(CENTER_COMMENTS))

    def _accepted_grid(self) -> None:
        self.report()
        if self.rng.random() < 0.5:
            self.wait(30, 600)
            self.comment(self.cast.grid_worker(self.plan.grid), self.pick(GRID_COMMENTS))

    def _accepted_returned(self) -> None:
        self.take()
        right = self.route().lead
        self.dispatch(lead=self.cast.wrong_department(self.plan.category, self.town, right))
        self.return_case()

    def _reported(self) -> None:
        self.report()

    def _reported_district(self) -> None:
        self.report()
        if self.rng.random() < 0.5:
            self.accept()
        self.escalate()

    def _reopened(self) -> None:
        if self.plan.in_grid:
            self.report()
            self.resolve_in_grid()
            self.verify(ok=False, in_grid=True)
        else:
            self.full()
            self.rate(Satisfaction.DISSATISFIED)

    def _rejected(self) -> None:
        self.report()
        self.wait(10, 240)
        note = REJECT_CONSULT_NOTE if self.plan.problem.request_type == CONSULT else self.pick(REJECT_NOTES)
        self.case = case_actions.reject_case(actor=self.center(), case=self.case, reason=note)
