"""The working-day calendar: Chinese holidays and make-up days, the fallback for unknown years, deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import translation

from gridgov.accounts.choices import Role
from gridgov.core import calendar
from gridgov.core.actions import delete_calendar_day, import_holiday_schedule, set_calendar_day
from gridgov.core.calendar import (
    Deadline,
    add_working_days,
    add_working_hours,
    is_workday,
    is_year_known,
    missing_schedule_years,
    working_days_between,
    working_time_between,
)
from gridgov.core.models import AuditEntry, CalendarDay, HolidayYear
from gridgov.testing.factories import UserFactory, grant

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The 2027 Spring Festival as a test schedule (Feb 5–13 off, make-up Sunday Feb 14 and Saturday Feb 20).
SPRING_2027 = [
    *[(date(2027, 2, day), False, "春节") for day in range(5, 14)],
    (date(2027, 2, 14), True, "春节调休"),
    (date(2027, 2, 20), True, "春节调休"),
]


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def admin_user(db):
    user = UserFactory.create(username="calendar-admin")
    grant(user, Role.ADMIN)
    return user


@pytest.fixture
def hook_calls():
    """A recompute hook that records its calls, registered for one test only."""
    calls: list[list[int]] = []

    def hook(years: list[int]) -> int:
        calls.append(years)
        return 0

    calendar.register_recompute_hook(hook)
    yield calls
    calendar.unregister_recompute_hook(hook)


# --- Days and years ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_days_follow_the_2026_official_schedule():
    assert not is_workday(date(2026, 10, 1))  # National Day
    assert not is_workday(date(2026, 9, 25))  # Mid-Autumn, a Friday
    assert is_workday(date(2026, 9, 20))  # make-up Sunday
    assert is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not is_workday(date(2026, 10, 11))  # an ordinary Sunday
    assert is_workday(date(2026, 10, 8))


@pytest.mark.django_db
def test_known_years_come_from_the_package_or_a_local_schedule(admin_user):
    assert is_year_known(2004) and is_year_known(2026)
    assert not is_year_known(2027)
    assert not is_year_known(2003)
    import_holiday_schedule(actor=admin_user, year=2027, days=SPRING_2027, source="test")
    assert is_year_known(2027)


@pytest.mark.django_db
def test_missing_schedule_years_look_ahead_from_the_given_day(admin_user):
    assert missing_schedule_years(date(2026, 11, 27)) == [2027]
    assert missing_schedule_years(date(2026, 6, 1)) == []
    assert missing_schedule_years(date(2026, 10, 2)) == []  # horizon 90 days: 2026-12-31
    assert missing_schedule_years(date(2026, 10, 3)) == [2027]
    import_holiday_schedule(actor=admin_user, year=2027, days=SPRING_2027, source="test")
    assert missing_schedule_years(date(2026, 11, 27)) == []


@pytest.mark.django_db
def test_a_local_override_wins_over_the_package(admin_user):
    set_calendar_day(actor=admin_user, day=date(2026, 11, 30), is_workday=False, name="本镇停工日")
    set_calendar_day(actor=admin_user, day=date(2026, 10, 3), is_workday=True, name="防汛值班")
    assert not is_workday(date(2026, 11, 30))
    assert is_workday(date(2026, 10, 3))
    # Friday 10:00 + 1 working day: Monday Nov 30 is now off, so Tuesday.
    assert add_working_days(at(2026, 11, 27, 10, 0), 1) == Deadline(at(2026, 12, 1, 10, 0), provisional=False)

    delete_calendar_day(actor=admin_user, day=date(2026, 11, 30))
    assert is_workday(date(2026, 11, 30))  # read right away: no stale cache
    verbs = list(AuditEntry.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == ["set_calendar_day", "set_calendar_day", "delete_calendar_day"]


# --- Working days -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_days_skip_national_day_2026_and_count_make_up_days():
    start = at(2026, 9, 29, 15, 0)  # Tuesday
    # Sep 30 is day 1; Oct 1–7 are off; Oct 8 (Thu) and 9 (Fri) are days 2 and 3;
    # Oct 10 is a make-up Saturday (day 4); Sunday Oct 11 is off; Monday Oct 12 is day 5.
    assert add_working_days(start, 1) == Deadline(at(2026, 9, 30, 15, 0), provisional=False)
    assert add_working_days(start, 3) == Deadline(at(2026, 10, 9, 15, 0), provisional=False)
    assert add_working_days(start, 4) == Deadline(at(2026, 10, 10, 15, 0), provisional=False)
    assert add_working_days(start, 5) == Deadline(at(2026, 10, 12, 15, 0), provisional=False)


@pytest.mark.django_db
def test_working_days_across_mid_autumn_and_the_make_up_sunday():
    # Friday Sep 18 + 1 → the make-up Sunday Sep 20.
    assert add_working_days(at(2026, 9, 18, 9, 0), 1).at == at(2026, 9, 20, 9, 0)
    # Thursday Sep 24 + 1: Sep 25–27 are Mid-Autumn → Monday Sep 28.
    assert add_working_days(at(2026, 9, 24, 9, 0), 1).at == at(2026, 9, 28, 9, 0)


@pytest.mark.django_db
def test_a_start_on_a_day_off_counts_from_the_next_working_day():
    # Saturday Oct 3 (holiday) + 1: Oct 8 is the first working day; due at its end (Oct 9, 00:00).
    assert add_working_days(at(2026, 10, 3, 11, 0), 1) == Deadline(at(2026, 10, 9, 0, 0), provisional=False)
    # + 2: Oct 8 and Oct 9 → end of Oct 9, even though Oct 10 (make-up Saturday) follows.
    assert add_working_days(at(2026, 10, 3, 11, 0), 2).at == at(2026, 10, 10, 0, 0)
    # Sunday Oct 11 + 1 → end of Monday Oct 12.
    assert add_working_days(at(2026, 10, 11, 23, 0), 1).at == at(2026, 10, 13, 0, 0)


@pytest.mark.django_db
def test_zero_days_is_the_start_and_results_are_in_local_time():
    start_utc = datetime(2026, 9, 29, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    assert add_working_days(start_utc, 0).at == at(2026, 9, 29, 15, 0)
    result = add_working_days(start_utc, 1).at
    assert result == at(2026, 9, 30, 15, 0)
    assert result.utcoffset() == at(2026, 9, 30, 15, 0).utcoffset()


@pytest.mark.django_db
def test_naive_or_negative_input_is_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 9, 29, 15, 0), 1)
    with pytest.raises(ValueError):
        add_working_days(at(2026, 9, 29, 15, 0), -1)
    with pytest.raises(ValueError):
        add_working_hours(at(2026, 9, 29, 15, 0), -0.5)


@pytest.mark.django_db
def test_working_days_between_is_the_inverse_of_add_working_days():
    start = at(2026, 9, 29, 15, 0)
    assert working_days_between(start, at(2026, 10, 9, 15, 0)) == pytest.approx(3)
    assert working_days_between(start, at(2026, 10, 9, 3, 0)) == pytest.approx(2.5)
    assert working_days_between(at(2026, 10, 9, 15, 0), start) == pytest.approx(-3)


# --- Working hours ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_working_hours_skip_lunch_and_evening():
    # Thursday Nov 26 11:00 + 2 h: 11:00–12:00, lunch, 13:30–14:30.
    assert add_working_hours(at(2026, 11, 26, 11, 0), 2) == Deadline(
        at(2026, 11, 26, 14, 30), provisional=False
    )
    # 17:00 + 2 h: 17:00–17:30, then Friday 08:30–10:00.
    assert add_working_hours(at(2026, 11, 26, 17, 0), 2).at == at(2026, 11, 27, 10, 0)
    # Friday 17:00 + 1 h → Monday 09:00.
    assert add_working_hours(at(2026, 11, 27, 17, 0), 1).at == at(2026, 11, 30, 9, 0)
    # Ending exactly at closing time stays at closing time.
    assert add_working_hours(at(2026, 11, 26, 9, 0), 3).at == at(2026, 11, 26, 12, 0)
    # A start during lunch or before opening counts from the next opening.
    assert add_working_hours(at(2026, 11, 26, 12, 30), 1).at == at(2026, 11, 26, 14, 30)
    assert add_working_hours(at(2026, 11, 26, 6, 0), 0.5).at == at(2026, 11, 26, 9, 0)
    # Across National Day: Sep 30 16:30 + 2 h → 17:30, then Oct 8 08:30–09:30.
    assert add_working_hours(at(2026, 9, 30, 16, 30), 2).at == at(2026, 10, 8, 9, 30)


@pytest.mark.django_db
@override_settings(GRIDGOV={"WORKING_HOURS": ["09:00-17:00"], "CALENDAR_WARNING_HORIZON_DAYS": 90})
def test_working_hours_follow_the_setting():
    assert add_working_hours(at(2026, 11, 26, 12, 0), 6).at == at(2026, 11, 27, 10, 0)


@pytest.mark.django_db
def test_working_time_between_counts_office_hours_only():
    # Thu 11:00 → Fri 10:00: 1 h + 4 h (13:30–17:30) + 1.5 h (08:30–10:00).
    assert working_time_between(at(2026, 11, 26, 11, 0), at(2026, 11, 27, 10, 0)) == pytest.approx(6.5)
    # National Day week: only Sep 30 (7.5 h) and Oct 8 (7.5 h).
    assert working_time_between(at(2026, 9, 30, 0, 0), at(2026, 10, 9, 0, 0)) == pytest.approx(15)
    assert working_time_between(at(2026, 11, 28, 9, 0), at(2026, 11, 29, 18, 0)) == 0  # weekend


# --- Unknown years: the fallback and the schedule arriving ------------------------------------------------------


@pytest.mark.django_db
def test_2027_uses_the_weekend_fallback_and_is_provisional():
    # Thursday Feb 4 10:00 + 3: Fri Feb 5, Mon Feb 8, Tue Feb 9 (the Spring Festival is unknown).
    assert add_working_days(at(2027, 2, 4, 10, 0), 3) == Deadline(at(2027, 2, 9, 10, 0), provisional=True)
    # A 2026 deadline that runs into 2027 is provisional too (New Year's Day counts as a working day).
    assert add_working_days(at(2026, 12, 30, 10, 0), 3) == Deadline(at(2027, 1, 4, 10, 0), provisional=True)
    assert add_working_days(at(2026, 12, 30, 10, 0), 1).provisional is False
    assert add_working_hours(at(2027, 2, 4, 10, 0), 1).provisional is True


@pytest.mark.django_db
def test_importing_2027_gives_the_official_result_and_runs_the_recompute_hooks(
    admin_user, hook_calls, django_capture_on_commit_callbacks
):
    start = at(2027, 2, 4, 10, 0)
    assert add_working_days(start, 3).provisional

    with django_capture_on_commit_callbacks(execute=True):
        holiday_year = import_holiday_schedule(
            actor=admin_user, year=2027, days=SPRING_2027, source="国办发明电"
        )

    assert holiday_year.year == 2027 and holiday_year.source == "国办发明电"
    # Feb 5–13 are off; Sunday Feb 14 is a make-up day (1), Mon Feb 15 (2), Tue Feb 16 (3).
    assert add_working_days(start, 3) == Deadline(at(2027, 2, 16, 10, 0), provisional=False)
    # Outside the entered days, 2027 weekdays work and weekends are off.
    assert is_workday(date(2027, 3, 1)) and not is_workday(date(2027, 3, 6))
    assert hook_calls == [[2027]]
    entry = AuditEntry.objects.get(verb="import_holiday_schedule")
    assert entry.actor == admin_user
    assert entry.data["year"] == 2027 and len(entry.data["days"]) == 11


@pytest.mark.django_db
def test_reimporting_replaces_the_year_and_keeps_the_replaced_days_in_the_audit(admin_user):
    set_calendar_day(actor=admin_user, day=date(2027, 3, 1), is_workday=False, name="local")
    import_holiday_schedule(actor=admin_user, year=2027, days=SPRING_2027, source="first")
    import_holiday_schedule(actor=admin_user, year=2027, days=SPRING_2027[:3], source="second")
    assert CalendarDay.objects.filter(date__year=2027).count() == 3
    assert HolidayYear.objects.get(year=2027).source == "second"
    assert not is_workday(date(2027, 2, 7)) and is_workday(date(2027, 2, 8))
    first = AuditEntry.objects.filter(verb="import_holiday_schedule").order_by("id").first()
    assert first is not None and first.data["replaced"] == [["2027-03-01", False, "local"]]


@pytest.mark.django_db
def test_single_day_changes_run_the_hooks_after_commit(
    admin_user, hook_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_calendar_day(actor=admin_user, day=date(2027, 5, 6), is_workday=False, name="local")
    assert hook_calls == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert hook_calls == [[2027]]


@pytest.mark.django_db
def test_a_failing_hook_does_not_stop_the_others(admin_user, hook_calls, django_capture_on_commit_callbacks):
    def broken(years: list[int]) -> int:
        raise RuntimeError("boom")

    calendar.register_recompute_hook(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            set_calendar_day(actor=admin_user, day=date(2027, 5, 6), is_workday=False, name="local")
    finally:
        calendar.unregister_recompute_hook(broken)
    assert hook_calls == [[2027]]


# --- Validation and permission ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_schedule_is_validated_as_a_whole(admin_user):
    days = [
        (date(2027, 1, 1), False, "元旦"),
        (date(2026, 12, 31), False, "wrong year"),
        (date(2027, 1, 1), False, "again"),
        (date(2027, 1, 4), True, "a Monday as make-up day"),
    ]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        import_holiday_schedule(actor=admin_user, year=2027, days=days, source="")
    assert error.value.messages == [
        "2026-12-31 is not in 2027.",
        "2027-01-01 is listed more than once.",
        "2027-01-04 is a weekday; a make-up workday falls on a Saturday or Sunday.",
    ]
    assert not CalendarDay.objects.exists() and not HolidayYear.objects.exists()


@pytest.mark.django_db
def test_calendar_actions_need_the_manage_calendar_permission():
    dispatcher = UserFactory.create(username="no-calendar")
    with pytest.raises(PermissionDenied):
        import_holiday_schedule(actor=dispatcher, year=2027, days=SPRING_2027, source="")
    with pytest.raises(PermissionDenied):
        set_calendar_day(actor=dispatcher, day=date(2027, 5, 6), is_workday=False, name="")
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_pinned_calendar_reuses_one_snapshot(admin_user, django_assert_max_num_queries):
    with calendar.pinned_calendar(), django_assert_max_num_queries(0):
        for day in range(1, 20):
            add_working_days(at(2026, 11, day, 10, 0), 5)
