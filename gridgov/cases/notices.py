"""Who is told what about a case. Called by the actions inside their transaction; the notification rows commit
with the change and outbound channels run after commit (``notifications.actions.notify``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.selectors import handlers_of, holders_of_area, leaders_over
from gridgov.cases.choices import Priority
from gridgov.cases.models import Case
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.geo.choices import AreaLevel
from gridgov.notifications.actions import notify


def case_link(case: Case) -> str:
    return reverse("cases:detail", args=[case.number])


def _send(
    actor: User | None, recipients: Iterable[User], kind: str, title: str, case: Case, body: str = ""
) -> None:
    notify(
        actor=actor,
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        link=case_link(case),
        target=case,
    )


def handlers_of_case(case: Case, *, lead_only: bool = False) -> list[User]:
    assignments = case.assignments.filter(status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED])
    if lead_only:
        assignments = assignments.filter(role="lead")
    users: list[User] = []
    for assignment in assignments:
        users += list(handlers_of(assignment.department_id, area_path=case.area_path))
    return users


def center_staff(case: Case) -> list[User]:
    """Whoever holds the case when no department does: the grid's workers or the center's dispatchers."""
    return list(holders_of_area(case.owner_area))


def assigned(actor: User, case: Case) -> None:
    _send(actor, handlers_of_case(case), "assignment", _("New case %(number)s: %(title)s") % _fmt(case), case)


def arrived(actor: User | None, case: Case) -> None:
    """A case reached a grid or center (new report, escalation, return, reopening).

    An urgent case also alerts the command center above a grid that holds it (紧急: the center must know at once).
    """
    recipients = center_staff(case)
    if case.priority != Priority.URGENT:
        _send(actor, recipients, "assignment", _("Case %(number)s awaits you: %(title)s") % _fmt(case), case)
        return
    if case.owner_area.is_grid:
        center = case.owner_area.parent
        while center is not None and center.level not in (AreaLevel.TOWN, AreaLevel.DISTRICT):
            center = center.parent
        if center is not None:
            recipients += [u for u in holders_of_area(center) if u not in recipients]
    _send(actor, recipients, "urgent", _("URGENT case %(number)s: %(title)s") % _fmt(case), case)


def returned(actor: User, case: Case, reason: str) -> None:
    _send(actor, center_staff(case), "returned", _("Case %(number)s was returned") % _fmt(case), case, reason)


def supervised(actor: User, case: Case, instruction: str) -> None:
    recipients = handlers_of_case(case) + center_staff(case)
    _send(
        actor,
        recipients,
        "supervision",
        _("Supervision order on case %(number)s") % _fmt(case),
        case,
        instruction,
    )


def urged(actor: User, case: Case, note: str) -> None:
    recipients = handlers_of_case(case, lead_only=True) or center_staff(case)
    _send(actor, recipients, "urge", _("Reminder: case %(number)s is waiting") % _fmt(case), case, note)


def rated(actor: User | None, case: Case) -> None:
    recipients = handlers_of_case(case, lead_only=True) + center_staff(case)
    _send(
        actor,
        recipients,
        "rating",
        _("Case %(number)s was rated") % _fmt(case),
        case,
        case.get_satisfaction_display(),
    )


def time_requested(actor: User, case: Case, reason: str) -> None:
    _send(
        actor,
        center_staff(case),
        "extension",
        _("Request for more time on case %(number)s") % _fmt(case),
        case,
        reason,
    )


def time_decided(actor: User, case: Case, approved: bool) -> None:
    title = (
        _("Your request on case %(number)s was approved")
        if approved
        else _("Your request on case %(number)s was denied")
    )
    _send(actor, handlers_of_case(case, lead_only=True), "extension", title % _fmt(case), case)


def alert(case: Case, level: str) -> None:
    """Deadline notices of the sweep: the holder is told when yellow; the center and leaders too when red (催办)."""
    holders = handlers_of_case(case) or center_staff(case)
    if level == "red":
        recipients = holders + center_staff(case) + list(leaders_over(case.area_path))
        _send(None, recipients, "overdue", _("Case %(number)s is overdue") % _fmt(case), case)
    else:
        _send(None, holders, "due_soon", _("Case %(number)s is due soon") % _fmt(case), case)


def _fmt(case: Case) -> dict[str, str]:
    return {"number": case.number, "title": case.title}
