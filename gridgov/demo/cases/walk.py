"""Walking one demo case through its history with the real actions, scenario by scenario."""

from __future__ import annotations

import random
from datetime import timedelta

from gridgov.accounts.models import User
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import OwnerLevel, Priority, Satisfaction
from gridgov.cases.models import Case, TimeRequest
from gridgov.demo.cases.cast import _Cast
from gridgov.demo.cases.plan import _Clock, _office, _Plan, _Report
from gridgov.demo.cases.problems import HOTLINE, PATROL, SEED
from gridgov.demo.cases.texts import (
    _RATING_COMMENTS,
    ACCEPT_CALLBACK_NOTE,
    ACCEPT_NOTES,
    CLOSE_NOTES,
    CLOSE_PATROL_NOTES,
    DECISION_NOTES,
    DISPATCH_NOTES,
    ESCALATE_FROM_GRID,
    ESCALATE_TO_DISTRICT,
    ESCALATE_TO_DISTRICT_DEFAULT,
    EXTENSION_REASONS,
    HANDLER_COMMENTS,
    MERGE_NOTE,
    REDO_IN_GRID_NOTES,
    RESUME_NOTES,
    RETURN_NOTES,
    SUPERVISE_NOTES,
    SUSPENSION_REASONS,
    URGE_NOTES,
    VERIFY_CALLBACK_NOTE,
    VERIFY_OK_NOTES,
    VERIFY_REDO_NOTES,
)
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.models import Department
from gridgov.dispatch.selectors import RouteSuggestion
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.triage.actions import record_suggestion
from gridgov.triage.engine import triage_report


class _Walk:
    """Writes one case's history with the real actions, advancing the simulated clock between the steps."""

    def __init__(self, cast: _Cast, plan: _Plan, clock: _Clock) -> None:
        self.cast = cast
        self.plan = plan
        self.clock = clock
        self.rng = random.Random(f"{SEED}/walk/{plan.index}")  # noqa: S311 - demo data, not security
        self.case: Case
        self.lead: Department | None = None
        self.helpers: list[Department] = []
        self.urgent = plan.problem.urgent

    # -- time --

    def wait(self, low: float, high: float, *, office: bool = False) -> None:
        """Let ``low``..``high`` minutes pass (at a department: until office hours, unless urgent)."""
        moment = self.clock.now + timedelta(minutes=self.rng.uniform(low, high))
        if office and not self.urgent:
            moment = _office(moment, self.rng)
        self.clock.set(moment)

    def wait_days(self, low: float, high: float, *, office: bool = True) -> None:
        self.wait(low * 1440, high * 1440, office=office)

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    # -- who --

    @property
    def town(self) -> Area:
        return self.plan.town

    def center(self) -> User:
        """The dispatcher of the command center holding the case (a grid's case is its town's)."""
        owner = self.case.owner_area
        if owner.level == AreaLevel.DISTRICT:
            return self.cast.dispatcher(owner)
        return self.cast.dispatcher(self.town)

    def approver(self) -> User:
        leader = self.cast.leader(self.town)
        if leader is not None and self.case.owner_level != OwnerLevel.DISTRICT and self.rng.random() < 0.6:
            return leader
        return self.center()

    def verifier(self, *, in_grid: bool) -> User:
        village = self.plan.grid.parent
        chief = self.cast.chief(village) if village is not None else None
        if self.case.owner_level == OwnerLevel.DISTRICT:
            return self.center()
        if chief is not None and self.rng.random() < 0.5:
            return chief
        if not in_grid and self.cast.has_grid_worker(self.plan.grid) and self.rng.random() < 0.5:
            return self.cast.grid_worker(self.plan.grid)
        return self.center()

    def route(self) -> RouteSuggestion:
        owner = self.case.owner_area
        area = owner if owner.level == AreaLevel.DISTRICT else self.plan.grid
        return self.cast.route(self.plan.category, area)

    # -- the verbs --

    def _reporter_of(self, report: _Report) -> User | None:
        if report.by_resident and self.cast.resident is not None:
            return self.cast.resident
        if report.channel == PATROL:
            return self.cast.grid_worker(self.plan.grid)
        if report.channel == HOTLINE:
            return self.cast.dispatcher(self.town)
        return None

    def _report(self, report: _Report, *, with_category: bool) -> Case:
        plan = self.plan
        case = case_actions.report_case(
            actor=self._reporter_of(report),
            channel=report.channel,
            text=report.text,
            title=f"{plan.place}{plan.problem.title}",
            category=plan.category if with_category else None,
            request_type=plan.problem.request_type,
            priority=Priority.URGENT if plan.problem.urgent else Priority.NORMAL,
            lat=plan.lat,
            lon=plan.lon,
            address=plan.address,
            grid=plan.grid,
            reporter_name=report.reporter_name,
            reporter_phone=report.reporter_phone,
        )
        # What triage would have said (the demo keeps its own categories and priorities: nothing is applied),
        # so that the dispatcher's pages show suggestions, scores and possible duplicates.
        result = triage_report(
            case.text,
            lat=case.lat,
            lon=case.lon,
            address=case.address,
            reported_at=case.reported_at,
            exclude_case=case.pk,
        )
        record_suggestion(case=case, result=result, applied=[])
        return case

    def report(self) -> None:
        self.clock.set(self.plan.report_at)
        self.case = self._report(self.plan.report, with_category=self.plan.with_category)

    def accept(self) -> None:
        if self.plan.pinned_start is not None:
            self.clock.set(self.plan.pinned_start)
        else:
            self.wait(*((2, 12) if self.urgent else (5, 90)))
        notes = [*ACCEPT_NOTES, ACCEPT_CALLBACK_NOTE] if self.case.reporter_phone else ACCEPT_NOTES
        self.case = case_actions.accept_case(
            actor=self.center(), case=self.case, category=self.plan.category, note=self.pick(notes)
        )

    def merge_duplicate(self) -> None:
        duplicate = self.plan.duplicate
        if duplicate is None:
            return
        self.wait(*((3, 30) if self.urgent else (60, 1200)))  # an urgent problem gets several calls at once
        copy = self._report(duplicate, with_category=duplicate.channel == HOTLINE)
        self.wait(5, 60)
        case_actions.merge_case(
            actor=self.cast.dispatcher(self.town),
            case=copy,
            master=self.case,
            note=MERGE_NOTE.format(number=self.case.number),
        )
        self.case.refresh_from_db()

    def escalate(self) -> None:
        """Up one level: the grid worker to the town, the town center to the district."""
        self.wait(30, 300)
        if self.case.owner_level == OwnerLevel.GRID:
            actor, reason = self.cast.grid_worker(self.plan.grid), self.pick(ESCALATE_FROM_GRID)
        else:
            actor = self.center()
            reason = ESCALATE_TO_DISTRICT.get(self.plan.category.code, ESCALATE_TO_DISTRICT_DEFAULT)
        self.case = case_actions.escalate_case(actor=actor, case=self.case, reason=reason)

    def take(self) -> None:
        """From the report to a case the center holds, accepted: accept it, or take it up from the grid."""
        self.report()
        if self.case.owner_level == OwnerLevel.GRID:
            if self.rng.random() < 0.5:
                self.escalate()
                self.accept()
        else:
            self.accept()
        self.merge_duplicate()

    def dispatch(self, lead: Department | None = None) -> None:
        route = self.route()
        self.lead = lead or route.lead
        self.helpers = [] if lead is not None else list(route.helpers)
        self.wait(*((3, 15) if self.urgent else (5, 120)))
        self.case = dispatch_actions.dispatch_case(
            actor=self.center(),
            case=self.case,
            lead=self.lead,
            helpers=self.helpers,
            note=self.pick(DISPATCH_NOTES),
        )

    def handler(self) -> User:
        assert self.lead is not None  # noqa: S101 - the case was dispatched
        return self.cast.handler(self.lead)

    def sign(self) -> None:
        for helper in self.helpers:
            if self.rng.random() < 0.6:
                self.wait(20, 600, office=True)
                self.case = dispatch_actions.sign_case(actor=self.cast.handler(helper), case=self.case)
        if self.urgent:
            self.wait(10, 30)
        else:
            self.wait(20, 600, office=True)
        self.case = dispatch_actions.sign_case(actor=self.handler(), case=self.case)
        if self.rng.random() < 0.2:
            self.wait(60, 1440, office=True)
            self.comment(self.handler(), self.pick(HANDLER_COMMENTS))

    def return_case(self) -> None:
        assert self.lead is not None  # noqa: S101
        right = self.route().lead
        self.wait(60, 900, office=True)
        self.case = dispatch_actions.return_case(
            actor=self.handler(), case=self.case, reason=self.pick(RETURN_NOTES).format(lead=right.name)
        )

    def resolve(self, *, days: tuple[float, float] = (0.3, 4)) -> None:
        if self.urgent:
            self.wait(60, 300)
        else:
            self.wait_days(*days)
        self.case = dispatch_actions.resolve_case(
            actor=self.handler(), case=self.case, result=self.pick(list(self.plan.problem.results))
        )

    def resolve_in_grid(self) -> None:
        self.wait(30, 1440, office=True)
        self.case = case_actions.resolve_in_grid(
            actor=self.cast.grid_worker(self.plan.grid), case=self.case, result=self.plan.problem.grid_result
        )

    def verify(self, *, ok: bool = True, in_grid: bool = False) -> None:
        self.wait(60, 2880, office=True)
        actor = self.verifier(in_grid=in_grid)
        if ok:
            callback = [VERIFY_CALLBACK_NOTE] if self.case.reporter_phone else []
            note = self.pick([*VERIFY_OK_NOTES, *callback])
        else:
            note = self.pick(REDO_IN_GRID_NOTES if in_grid else VERIFY_REDO_NOTES)
        self.case = case_actions.verify_case(actor=actor, case=self.case, ok=ok, note=note)

    def rate(self, satisfaction: str) -> None:
        self.wait(60, 2880, office=True)
        resident = self.cast.resident
        by_resident = resident is not None and self.case.reporter_id == resident.pk
        comments = _RATING_COMMENTS[satisfaction]
        self.case = case_actions.rate_case(
            actor=resident if by_resident and resident is not None else self.center(),
            case=self.case,
            satisfaction=satisfaction,
            comment=self.pick(comments),
            by_visit=not by_resident,
        )

    def conclude(self) -> None:
        """After verification: a phone visit (回访) for reported cases, closing for patrol findings."""
        if self.case.channel == PATROL:
            self.wait(30, 600, office=True)
            self.case = case_actions.close_case(
                actor=self.center(), case=self.case, note=self.pick(CLOSE_PATROL_NOTES)
            )
        elif self.rng.random() < 0.1:
            self.wait(1440, 4320, office=True)
            self.case = case_actions.close_case(
                actor=self.center(), case=self.case, note=self.pick(CLOSE_NOTES)
            )
        else:
            self.rate(Satisfaction.SATISFIED if self.rng.random() < 0.8 else Satisfaction.BASICALLY)

    def comment(self, actor: User, text: str, *, public: bool = False) -> None:
        self.case = case_actions.comment_case(actor=actor, case=self.case, text=text, public=public)

    def urge(self) -> None:
        leader = self.cast.leader(self.town)
        actor = leader if leader is not None and self.rng.random() < 0.3 else self.center()
        self.case = case_actions.urge_case(actor=actor, case=self.case, note=self.pick(URGE_NOTES))

    def supervise(self, *, days: float) -> bool:
        leader = self.cast.leader(self.town)
        if leader is None or self.case.owner_level == OwnerLevel.DISTRICT:
            return False
        deadline = _office(self.clock.now + timedelta(days=days), self.rng)
        self.case = case_actions.supervise_case(
            actor=leader, case=self.case, instruction=self.pick(SUPERVISE_NOTES), deadline=deadline
        )
        return True

    def request_time(self, kind: str) -> None:
        self.wait(60, 2880, office=True)
        reason = self.pick(EXTENSION_REASONS if kind == TimeRequest.KIND_EXTENSION else SUSPENSION_REASONS)
        request = dispatch_actions.request_time(
            actor=self.handler(),
            case=self.case,
            kind=kind,
            reason=reason,
            days=self.rng.randint(3, 10) if kind == TimeRequest.KIND_EXTENSION else 0,
        )
        self.wait(30, 600, office=True)
        dispatch_actions.decide_time_request(
            actor=self.approver(), request=request, approve=True, note=self.pick(DECISION_NOTES)
        )
        self.case.refresh_from_db()

    def resume(self) -> None:
        self.wait_days(5, 20)
        self.case = dispatch_actions.resume_case(
            actor=self.center(), case=self.case, note=self.pick(RESUME_NOTES)
        )

    # -- the scenarios --

    def to_department(self, *, wrong_first: bool = False) -> None:
        self.take()
        if wrong_first:
            right = self.route().lead
            self.dispatch(lead=self.cast.wrong_department(self.plan.category, self.town, right))
            self.return_case()
            self.dispatch()
        else:
            self.dispatch()

    def full(self) -> None:
        """Dispatched, signed, resolved and verified."""
        self.to_department()
        self.sign()
        self.resolve()
        self.verify()
