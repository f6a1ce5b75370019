"""``gridgov import_reports``: a 12345 export from the fixture files, overrides, output and exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.cases.choices import Channel
from gridgov.cases.models import Case
from gridgov.intake.models import Submission
from gridgov.intake.tests.import_support import make_people

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def people(region):
    return make_people(region)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_reports", *args, "--language", "en", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["hotline_12345.csv", "hotline_12345_gb18030.csv"])
def test_the_command_imports_a_12345_export_and_a_rerun_adds_nothing(people, name, tmp_path):
    errors = tmp_path / "fix.xlsx"
    args = [str(DATA / name), "--source", "12345", "--actor", "dispatcher", "--map", "text=反映事项"]

    output = run(*args, "--errors", str(errors))

    assert "text=反映事项" in output
    assert "Row 5: 受理时间 '2026-13-01 08:00' is not a valid date." in output
    assert "Row 7: 工单编号 'GD202610030001' appears twice: row 2 has the same number." in output
    assert "3 imported (0 closed as finished), 0 already imported, 2 rows with problems." in output
    assert errors.exists()
    first = Submission.objects.get(source="12345", external_id="GD202610030001").case
    assert first.text == "村口路灯连续三晚不亮,晚上很黑"
    assert first.channel == Channel.HOTLINE  # "12345热线" in the channel column
    assert first.grid == people.region.grids[0]
    second = Submission.objects.get(source="12345", external_id="GD202610030002")
    assert second.case.channel == Channel.IMPORT  # "网站": the default channel, the word kept
    assert second.extra["history"] == {"channel": "网站"}
    assert second.case.grid == people.region.grids[1]  # the grid by name

    again = run(*args)
    assert "0 imported (0 closed as finished), 3 already imported, 2 rows with problems." in again
    assert Case.objects.count() == 3


def test_dry_run_writes_nothing(people):
    output = run(
        str(DATA / "hotline_12345.csv"),
        "--source",
        "12345",
        "--actor",
        "dispatcher",
        "--map",
        "text=反映事项",
        "--dry-run",
    )
    assert "3 to import" in output
    assert Case.objects.count() == 0


def test_without_the_description_column_nothing_can_be_imported_exit_2(people):
    with pytest.raises(CommandError) as error:
        run(str(DATA / "hotline_12345.csv"), "--source", "12345", "--actor", "dispatcher")
    assert error.value.returncode == 2
    assert "Description: it is required" in str(error.value)


def test_an_unreadable_file_exits_2(people, tmp_path):
    broken = tmp_path / "orders.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(CommandError) as error:
        run(str(broken), "--source", "12345", "--actor", "dispatcher")
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as missing:
        run(str(tmp_path / "missing.csv"), "--source", "12345", "--actor", "dispatcher")
    assert missing.value.returncode == 2


def test_the_system_user_and_a_grid_worker_may_not_import(people):
    for actor in ([], ["--actor", "worker"]):
        with pytest.raises(CommandError) as error:
            run(str(DATA / "hotline_12345.csv"), "--source", "12345", "--map", "text=反映事项", *actor)
        assert error.value.returncode == 1
        assert "may not import" in str(error.value)
    assert Case.objects.count() == 0


def test_bad_options(people):
    with pytest.raises(CommandError, match="Unknown field"):
        run(
            str(DATA / "hotline_12345.csv"), "--source", "12345", "--actor", "dispatcher", "--map", "colour=x"
        )
    with pytest.raises(CommandError, match="No area"):
        run(str(DATA / "hotline_12345.csv"), "--source", "12345", "--actor", "dispatcher", "--area", "999")
