"""Demo cases: a few hundred cases in every status across the demo region, and the three origin stories.

What it makes
    About 300 cases reported in the ~90 days before a reference moment (the time of loading, rounded down to the
    hour), spread over the grids of every town with realistic category weights (sanitation, roads, water,
    disputes and welfare common; labour and education rare), in the voices of residents (web page), grid workers
    (patrol notes) and hotline operators (来电人反映…). Every status of the workflow is present; some cases are
    overdue (red) or due soon (yellow), some urgent, some extended, returned, suspended, supervised (督办),
    urged or escalated to the district. Plus the three origin stories (``STORY_TEXTS``), which walk the whole
    loop: the convex mirror at 北渡村22组, the boundary quarrel at 花市街村4组 settled in the grid (带案入格),
    and the road in 石西社区 repaired overnight.

How
    Every case is written by the real actions (``cases.actions``, ``dispatch.actions``) acting as the demo
    accounts, so timelines, assignments, notifications and deadlines are what the platform itself produces.
    Towns, grids and departments without a demo account get one (``dispatcher-<area code>``,
    ``gridworker-<grid code>``, ``handler-<department code>``), created through ``accounts.actions`` with an
    unusable password, before any case is written, so the audit trail records them at their real time.

Backdating (demo only)
    The actions read the time from ``django.utils.timezone.now()``. To give each case a believable history, the
    steps of one case run inside ``mock.patch("django.utils.timezone.now")`` returning a simulated clock that
    advances from the report to the last step, never past the reference moment. The patch is a context manager
    around one case: it is never active after this module returns. Nothing but demo data may do this.

Deterministic
    A fixed seed drives every choice (places, problems, people, phones, steps and the gaps between them); only
    the absolute times follow the reference moment. The deadline sweep then colours the open cases for the real
    "now", as the scheduled sweep would.

Idempotent
    A demo case is identified by its text: the generator makes every text distinct (a problem, phrased in one
    voice, at one place), and a planned case whose text already exists is skipped, together with the duplicate
    that is merged into it. A second run therefore creates no case and no event (and skips the sweep), and a run
    interrupted part-way (each case is written in its own transaction) is completed by the next one instead of
    being duplicated. Editing the texts (``problems``, ``texts``) makes the next run add the edited cases as new ones.

Modules
    ``problems`` (what goes wrong, in each voice), ``texts`` (what people write along the way, names, the origin
    stories), ``plan`` (scenarios and the planner), ``cast`` (the accounts), ``walk`` (the steps of one case's history),
    ``scenarios`` (which steps each scenario takes), ``stories`` (the three origin stories); this module loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter
from unittest import mock

from django.db import transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.cases.models import Case
from gridgov.cases.sweep import sweep_deadlines
from gridgov.core.calendar import pinned_calendar
from gridgov.demo.cases.cast import _Cast
from gridgov.demo.cases.plan import DemoCases, _Clock, _Plan, _Planner
from gridgov.demo.cases.problems import HISTORY_DAYS, SEED
from gridgov.demo.cases.scenarios import _Scenarios
from gridgov.demo.cases.stories import _stories
from gridgov.demo.cases.texts import STORY_BOUNDARY, STORY_MIRROR, STORY_ROAD, STORY_TEXTS

__all__ = [
    "HISTORY_DAYS",
    "SEED",
    "STORY_BOUNDARY",
    "STORY_MIRROR",
    "STORY_ROAD",
    "STORY_TEXTS",
    "DemoCases",
    "demo_case_texts",
    "load_demo_cases",
    "reference_moment",
]


# --- Loading ----------------------------------------------------------------------------------------------------------


@dataclass
class _Job:
    """One unit written in one transaction: a case (with its merged duplicate, if any) or an origin story."""

    start: datetime
    write: Callable[[_Clock], None]
    cases: int = 1


def reference_moment() -> datetime:
    """The moment the demo history ends: now, rounded down to the hour (local time)."""
    return timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0)


def demo_case_texts() -> set[str]:
    """The texts of every case the loader writes, merged duplicates included (what identifies demo cases)."""
    with pinned_calendar():
        plans = _Planner(reference_moment()).plans()
    return set(STORY_TEXTS) | {text for plan in plans for text in _texts(plan)}


def _texts(plan: _Plan) -> list[str]:
    return [plan.report.text] + ([plan.duplicate.text] if plan.duplicate is not None else [])


def load_demo_cases(*, actor: User) -> DemoCases:
    """Write the demo cases that are not there yet (see the module docstring), then sweep the deadlines.

    Needs the demo region with its departments, routing rules and accounts (``loader.load_demo``). ``actor`` is
    an administrator: it creates the accounts the cases need and runs the deadline sweep.
    """
    started = perf_counter()
    reference = reference_moment()
    result = DemoCases()
    with pinned_calendar():
        plans = _Planner(reference).plans()
        all_texts = set(STORY_TEXTS) | {text for plan in plans for text in _texts(plan)}
        existing = set(Case.objects.filter(text__in=all_texts).values_list("text", flat=True))
        jobs: list[_Job] = []
        if not existing >= all_texts:
            cast = _Cast(actor)
            for text, at, write in _stories(cast, reference):
                if text not in existing:
                    jobs.append(_Job(at, write))
            todo = [plan for plan in plans if plan.report.text not in existing]
            for plan in todo:
                cast.prepare(plan)  # accounts first, at their real time
            jobs += [_Job(plan.report_at, _writer(cast, plan), len(_texts(plan))) for plan in todo]
            jobs.sort(key=lambda job: job.start)
        for job in jobs:
            clock = _Clock(job.start, reference)
            # Demo only: the actions see the simulated clock while this one case is written (module docstring).
            with mock.patch("django.utils.timezone.now", new=clock), transaction.atomic():
                job.write(clock)
            result.created += job.cases
    if jobs:
        sweep_deadlines(actor=actor)  # colour the open cases for the real "now", as the scheduled sweep does
    statuses = list(Case.objects.filter(text__in=all_texts).values_list("status", flat=True))
    result.total = len(statuses)
    result.by_status = {status: statuses.count(status) for status in sorted(set(statuses))}
    result.seconds = perf_counter() - started
    return result


def _writer(cast: _Cast, plan: _Plan) -> Callable[[_Clock], None]:
    def write(clock: _Clock) -> None:
        _Scenarios(cast, plan, clock).run()

    return write
