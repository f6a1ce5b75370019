"""``gridgov import_areas`` and ``gridgov export_areas``: problems one a line, all or nothing, round trips."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.core.models import AuditEntry
from gridgov.geo.geojson_io import read_features
from gridgov.geo.models import Area
from gridgov.geo.tests.conftest import GRID_2, TREE, collection, feature

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_as_the_system_user(tmp_path, tree_text, settings):
    file = tmp_path / "tree.geojson"
    file.write_text(tree_text, encoding="utf-8")

    out, _err = run("import_areas", str(file))

    assert "6 created, 0 updated, 0 unchanged" in out
    assert Area.objects.count() == 6
    entry = AuditEntry.objects.get(verb="import_areas")
    assert entry.actor.username == settings.GRIDGOV["SYSTEM_USERNAME"]
    assert entry.data["source"] == "tree.geojson"


def test_import_as_a_named_actor(tmp_path, tree_text, admin_user):
    file = tmp_path / "tree.geojson"
    file.write_text(tree_text, encoding="utf-8")
    run("import_areas", str(file), "--actor", "admin")
    assert AuditEntry.objects.get(verb="import_areas").actor == admin_user


def test_import_refuses_an_actor_without_permission(tmp_path, tree_text, plain_user):
    file = tmp_path / "tree.geojson"
    file.write_text(tree_text, encoding="utf-8")
    with pytest.raises(CommandError):
        run("import_areas", str(file), "--actor", "resident")
    assert Area.objects.count() == 0


def test_broken_file_prints_one_line_per_problem(tmp_path):
    broken = collection(
        *TREE[:5],
        feature(
            "320612101001002", "二网格", "grid", "320612101001", (120.905, 32.00, 120.92, 32.02)
        ),  # line 7
        GRID_2,  # line 8
    )
    file = tmp_path / "broken.geojson"
    file.write_text(broken, encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problems"):
        call_command("import_areas", str(file), stdout=io.StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("line 7 · code 320612101001002 · ")
    assert "overlaps its sibling 320612101001001 (line 6)" in lines[0]
    assert lines[1].startswith("line 8 · code 320612101001002 · ")
    assert Area.objects.count() == 0


def test_dry_run_writes_nothing(tmp_path, tree_text):
    file = tmp_path / "tree.geojson"
    file.write_text(tree_text, encoding="utf-8")
    out, _err = run("import_areas", str(file), "--dry-run")
    assert "valid (6 areas)" in out
    assert Area.objects.count() == 0


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_areas", str(tmp_path / "nope.geojson"))


def test_export_then_import_is_idempotent(tmp_path, imported_tree):
    out, _err = run("export_areas")
    lines = out.splitlines()
    assert len(lines) == 8  # header, six features, footer
    assert json.loads(lines[1].removesuffix(","))["properties"]["code"] == "320600"
    features = read_features(out)
    assert [f.line for f in features] == list(range(2, 8))
    assert features[5].data == TREE[5]

    file = tmp_path / "export.geojson"
    file.write_text(out, encoding="utf-8")
    again, _err = run("import_areas", str(file))
    assert "0 created, 0 updated, 6 unchanged" in again


def test_export_filters_and_output_file(tmp_path, imported_tree):
    target = tmp_path / "grids.geojson"
    _out, err = run("export_areas", "--within", "320612101001", "--level", "grid", "--output", str(target))
    assert "2 areas written" in err
    codes = [f.data["properties"]["code"] for f in read_features(target.read_text(encoding="utf-8"))]
    assert codes == ["320612101001001", "320612101001002"]

    with pytest.raises(CommandError, match="No area with code"):
        run("export_areas", "--within", "999")
