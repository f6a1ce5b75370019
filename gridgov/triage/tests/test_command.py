from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from gridgov.cases.actions import report_case
from gridgov.testing.factories import RegionTree


def _write(path: Path, lines: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _predict(tmp_path: Path, lines: list[dict[str, object]], *args: str) -> list[dict[str, Any]]:
    source = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    call_command("triage", "predict", "--input", str(source), "--output", str(out), *args)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
def test_predict_on_a_freshly_migrated_database(tmp_path: Path) -> None:
    rows = _predict(
        tmp_path,
        [
            {"id": "1", "text": "村口的路灯坏了一个多礼拜了晚上黑乎乎的"},
            {"id": 2, "text": "有人在田里烧秸秆"},
        ],
    )
    assert [r["id"] for r in rows] == ["1", "2"]
    for row in rows:
        assert set(row) == {"id", "category", "scores", "urgent", "request_type", "grid", "duplicate_of"}
        assert len(row["scores"]) == 3 and row["scores"][0][0] == row["category"]
        assert row["scores"][0][1] >= row["scores"][1][1] >= row["scores"][2][1]
        assert row["grid"] is None and row["duplicate_of"] is None
        assert row["request_type"] in {"consultation", "help", "complaint", "tip_off", "suggestion", "other"}


def test_predict_finds_grids_and_duplicates(tmp_path: Path, region: RegionTree) -> None:
    grid = region.grids[0]  # the square 120.9..120.91 × 32.2..32.21
    text = "小区门口河里漂着一大片垃圾和死鱼，味道很难闻，麻烦尽快打捞"
    case = report_case(actor=None, channel="web", text=text, lat=32.205, lon=120.905)
    rows = _predict(
        tmp_path,
        [
            {
                "id": "late",
                "text": text + "！！",
                "lat": 32.2051,
                "lon": 120.9051,
                "reported_at": "2099-01-02T10:00:00+08:00",
            },
            {
                "id": "early",
                "text": text,
                "lat": 32.2052,
                "lon": 120.9052,
                "reported_at": "2099-01-02T08:00:00+08:00",
            },
            {"id": "now", "text": text, "lat": 32.2051, "lon": 120.9052},
            {"id": "named", "text": f"{region.grids[5].name}有个窨井盖没了"},
            {"id": "nowhere", "text": "咨询一下低保怎么申请"},
        ],
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id["late"]["grid"] == grid.code
    assert by_id["late"]["duplicate_of"] == "early"  # an earlier line of the file, by reported_at
    assert by_id["now"]["duplicate_of"] == case.number  # an open case
    assert by_id["named"]["grid"] == region.grids[5].code  # from the text
    assert by_id["nowhere"]["grid"] is None
    # Looking only inside the file, the open case is not a candidate.
    rows = _predict(
        tmp_path, [{"id": "now", "text": text, "lat": 32.2051, "lon": 120.9052}], "--no-open-cases"
    )
    assert rows[0]["duplicate_of"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "1", "text": "路灯坏了"}\n{"text": "没有编号"}\n', "in.jsonl:2: missing field 'id'"),
        ('{"id": "1", "text": ""}\n', "in.jsonl:1: field 'text' must be a non-empty string"),
        ('{"id": "1", "text": "x", "lat": 32}\n', "in.jsonl:1: give both 'lat' and 'lon' or neither"),
        ('{"id": "1", "text": "x", "reported_at": "yesterday"}\n', "in.jsonl:1: not an ISO 8601 time"),
        ("not json\n", "in.jsonl:1: not valid JSON"),
        ('{"id": "1", "text": "x"}\n{"id": "1", "text": "y"}\n', "in.jsonl:2: id '1' appears twice"),
    ],
)
def test_predict_names_the_bad_line(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("triage", "predict", "--input", str(source), "--output", str(tmp_path / "o.jsonl"))


@pytest.mark.django_db
def test_evaluate_prints_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(
        tmp_path / "labelled.jsonl",
        [
            {
                "id": "1",
                "text": "河里漂着好多垃圾",
                "category": "water",
                "urgent": False,
                "dup_group": "a",
                "reported_at": "2026-10-01T08:00:00+08:00",
                "lat": 32.0,
                "lon": 121.0,
            },
            {
                "id": "2",
                "text": "河面上漂了很多垃圾",
                "category": "water",
                "urgent": False,
                "dup_group": "a",
                "reported_at": "2026-10-01T09:00:00+08:00",
                "lat": 32.0001,
                "lon": 121.0,
            },
            {
                "id": "3",
                "text": "麦田里有人正在烧秸秆，火很大烟很大",
                "category": "agriculture",
                "urgent": True,
            },
        ],
    )
    call_command("triage", "evaluate", "--input", str(source))
    out = capsys.readouterr().out
    for heading in (
        "category accuracy",
        "macro-F1",
        "urgent precision",
        "duplicate precision",
        "confusion matrix",
    ):
        assert heading in out
    call_command("triage", "evaluate", "--input", str(source), "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["n"] == 3 and 0 <= figures["accuracy"] <= 1
    assert set(figures["per_category"]) >= {"water", "agriculture"}
