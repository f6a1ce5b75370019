import pytest

from gridgov.accounts.permissions import Verb, can
from gridgov.cases import actions
from gridgov.cases.models import Case
from gridgov.cases.selectors import Queue, queue_counts, visible_cases, work_queue
from gridgov.dispatch import actions as dispatch_actions
from gridgov.testing.factories import category


def _report(town, grid_index=0, actor=None):
    return actions.report_case(
        actor=actor or town.resident, channel="web", text="路灯不亮", grid=town.region.grids[grid_index]
    )


@pytest.mark.django_db
def test_visible_cases_agree_with_can(town):
    here = _report(town)
    neighbour = _report(town, grid_index=1)
    other_town = _report(town, grid_index=len(town.region.grids) - 1)
    dispatched = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    dispatch_actions.dispatch_case(actor=town.dispatcher, case=dispatched, lead=town.roads)
    everyone = [town.dispatcher, town.worker, town.other_worker, town.chief, town.handler, town.justice_handler,
                town.leader, town.resident, town.district_dispatcher]  # fmt: skip
    for user in everyone:
        listed = set(visible_cases(user).values_list("pk", flat=True))
        allowed = {case.pk for case in Case.objects.all() if can(user, Verb.VIEW_CASE, case)}
        assert listed == allowed, user.username
    assert set(visible_cases(town.worker)) == {here, dispatched}
    assert neighbour in visible_cases(town.other_worker)
    assert set(visible_cases(town.handler)) == {dispatched}
    assert other_town not in visible_cases(town.dispatcher)
    assert set(visible_cases(town.justice_handler)) == set()


@pytest.mark.django_db
def test_queues_follow_the_case(town):
    case = _report(town)
    assert list(work_queue(town.dispatcher, Queue.TODO)) == [case]
    assert list(work_queue(town.handler, Queue.TODO)) == []
    case = actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    assert list(work_queue(town.dispatcher, Queue.TODO)) == []
    assert list(work_queue(town.dispatcher, Queue.DONE)) == [case]
    assert list(work_queue(town.handler, Queue.TODO)) == [case]
    assert queue_counts(town.handler) == {"todo": 1, "done": 0, "due_soon": 0, "overdue": 0}
    with pytest.raises(ValueError):
        work_queue(town.handler, "nonsense")


@pytest.mark.django_db
def test_a_department_still_sees_the_case_it_resolved(town):
    case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="已修复")
    assert can(town.handler, Verb.VIEW_CASE, case)
    assert list(visible_cases(town.handler)) == [case]
    assert list(work_queue(town.handler, Queue.TODO)) == []
