"""``gridgov import_holidays``: a bad file is reported row by row and writes nothing; a good one imports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from gridgov.accounts.choices import Role
from gridgov.core.calendar import is_workday, is_year_known
from gridgov.core.models import AuditEntry, CalendarDay, HolidayYear
from gridgov.testing.factories import UserFactory, grant

EXAMPLE = Path(settings.BASE_DIR) / "gridgov" / "core" / "data" / "holidays-2027.example.csv"


@pytest.fixture
def admin_user(db):
    user = UserFactory.create(username="calendar-admin")
    grant(user, Role.ADMIN)
    return user


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("import_holidays", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path, admin_user):
    path = write(
        tmp_path,
        "date,type,name\n"
        "2027-01-01,holiday,元旦\n"  # row 2: fine
        "2027-13-01,holiday,bad month\n"  # row 3
        "2027-02-05,rest,春节\n"  # row 4
        "2026-12-31,休,wrong year\n"  # row 5
        "2027-01-01,休,duplicate\n"  # row 6
        "2027-01-04,班,a Monday\n"  # row 7
        "01/02/2027,maybe,both wrong\n"  # row 8: two reasons
        "\n"
        "2027-10-01,holiday,国庆节,extra\n",  # row 10
    )
    with pytest.raises(CommandError) as error:
        run(str(path), "--year", "2027", "--actor", admin_user.username)
    message = str(error.value)
    assert "nothing was imported" in message
    lines = message.splitlines()[1:]
    assert lines == [
        "row 3: “2027-13-01” is not a date like 2027-10-01",
        "row 4: “rest” is not a type; use holiday, 休, workday or 班",
        "row 5: 2026-12-31 is not in 2027.",
        "row 6: 2027-01-01 is listed more than once.",
        "row 7: 2027-01-04 is a weekday; a make-up workday falls on a Saturday or Sunday.",
        "row 8: “01/02/2027” is not a date like 2027-10-01",
        "row 8: “maybe” is not a type; use holiday, 休, workday or 班",
        "row 10: expected 3 columns: date, type, name",
    ]
    assert not CalendarDay.objects.exists()
    assert not HolidayYear.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_wrong_header_is_reported(tmp_path, admin_user):
    path = write(tmp_path, "day,kind\n2027-01-01,holiday\n")
    with pytest.raises(CommandError, match="row 1: the header must be: date,type,name"):
        run(str(path), "--actor", admin_user.username)


@pytest.mark.django_db
def test_mixed_years_need_the_year_option(tmp_path, admin_user):
    path = write(tmp_path, "date,type,name\n2026-12-31,holiday,\n2027-01-01,holiday,\n")
    with pytest.raises(CommandError, match=r"span several years \(2026, 2027\)"):
        run(str(path), "--actor", admin_user.username)


@pytest.mark.django_db
def test_the_example_file_imports(admin_user):
    output = run(str(EXAMPLE), "--actor", admin_user.username, "--source", "example")
    assert "Imported 2027: 29 holidays, 6 make-up workdays" in output
    assert HolidayYear.objects.get(year=2027).source == "example"
    assert CalendarDay.objects.filter(date__year=2027).count() == 35
    assert is_year_known(2027)
    assert not is_workday(date(2027, 10, 1))
    assert is_workday(date(2027, 10, 9))  # make-up Saturday
    entry = AuditEntry.objects.get()
    assert (entry.verb, entry.actor) == ("import_holiday_schedule", admin_user)


@pytest.mark.django_db
def test_the_example_covers_the_seven_public_holidays():
    names = {line.split(",")[2] for line in EXAMPLE.read_text(encoding="utf-8").splitlines()[1:]}
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names


@pytest.mark.django_db
def test_a_good_file_with_chinese_types_and_a_bom_imports(tmp_path, admin_user):
    path = tmp_path / "schedule.csv"
    path.write_text("date,type,name\n2027-01-01,休,元旦\n2027-01-02,休,元旦\n", encoding="utf-8-sig")
    output = run(str(path), "--actor", admin_user.username)
    assert "Imported 2027: 2 holidays, 0 make-up workdays" in output
    assert HolidayYear.objects.get(year=2027).source == "schedule.csv"


@pytest.mark.django_db
def test_dry_run_writes_nothing(admin_user):
    output = run(str(EXAMPLE), "--dry-run")
    assert "nothing was written" in output
    assert not HolidayYear.objects.exists()


@pytest.mark.django_db
def test_the_system_user_is_the_default_actor():
    run(str(EXAMPLE))
    assert (
        AuditEntry.objects.get(verb="import_holiday_schedule").actor.username
        == settings.GRIDGOV["SYSTEM_USERNAME"]
    )


@pytest.mark.django_db
def test_a_user_without_the_calendar_permission_is_refused():
    UserFactory.create(username="clerk")
    with pytest.raises(CommandError, match="may not manage the calendar"):
        run(str(EXAMPLE), "--actor", "clerk")
    assert not HolidayYear.objects.exists()
    assert not CalendarDay.objects.exists()
