"""Importing areas: all or nothing, every problem reported with its line and code, re-imports idempotent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.core.models import AuditEntry
from gridgov.geo.actions import AreaImportError, import_areas, update_area
from gridgov.geo.index import invalidate_grid_index
from gridgov.geo.models import Area
from gridgov.geo.tests.conftest import (
    CITY,
    DISTRICT,
    GRID_1,
    GRID_2,
    TOWN,
    TREE,
    VILLAGE,
    collection,
    feature,
)

pytestmark = pytest.mark.django_db

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[120.90, 32.00], [120.91, 32.01], [120.91, 32.00], [120.90, 32.01], [120.90, 32.00]]],
}


def problems_of(caught: pytest.ExceptionInfo[AreaImportError]) -> list[tuple[int, str, str]]:
    return [(p.line, p.code, p.message) for p in caught.value.problems]


def test_valid_file_imports_the_tree(admin_user, tree_text):
    result = import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")

    assert (result.created, result.updated, result.unchanged) == (6, 0, 0)
    grid = Area.objects.get(code="320612101001002")
    assert grid.path == "/320600/320612/320612101/320612101001/320612101001002/"
    assert grid.parent is not None and grid.parent.code == "320612101001"
    assert grid.level == "grid"
    assert grid.aliases == ["北渡村22组"]
    assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == (120.91, 32.0, 120.92, 32.02)
    assert grid.centroid_lat == pytest.approx(32.01)
    assert grid.centroid_lon == pytest.approx(120.915)
    city = Area.objects.get(code="320600")
    assert city.parent is None and city.path == "/320600/" and city.boundary is None
    assert city.centroid_lat is None
    entry = AuditEntry.objects.get(verb="import_areas")
    assert entry.actor == admin_user
    assert (
        entry.data["created"] == 6 and entry.data["updated"] == 0 and entry.data["source"] == "tree.geojson"
    )


def test_reimport_is_idempotent(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    before = {a.code: (a.updated_at, a.path, a.boundary) for a in Area.objects.all()}

    result = import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert {a.code: (a.updated_at, a.path, a.boundary) for a in Area.objects.all()} == before
    assert AuditEntry.objects.filter(verb="import_areas").count() == 1  # a no-op is not a write


def test_changed_features_are_updated(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    renamed = feature(
        "320612101001002", "北渡村第二网格", "grid", "320612101001", (120.91, 32.00, 120.92, 32.02)
    )

    result = import_areas(actor=admin_user, text=collection(renamed), source_name="fix.geojson")

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.updated_codes == ["320612101001002"]
    grid = Area.objects.get(code="320612101001002")
    assert grid.name == "北渡村第二网格"
    assert grid.aliases == []  # the file is the truth for the features it contains


def test_order_in_file_does_not_matter(admin_user):
    result = import_areas(actor=admin_user, text=collection(*reversed(TREE)), source_name="reversed.geojson")
    assert result.created == 6
    assert Area.objects.get(code="320612101001001").path.startswith("/320600/320612/")


def test_broken_file_reports_every_problem_and_writes_nothing(admin_user):
    text = collection(
        CITY,  # line 2
        DISTRICT,  # 3
        TOWN,  # 4
        feature("32061210100X", "坏代码村", "village", "320612101"),  # 5
        VILLAGE,  # 6
        feature("320612101009001", "无主网格", "grid", "320612101009", (120.93, 32.03, 120.94, 32.04)),  # 7
        feature("320612101001003", "出界网格", "grid", "320612101001", (120.92, 32.00, 120.93, 32.02)),  # 8
        feature("320612101001005", "蝴蝶网格", "grid", "320612101001", BOWTIE),  # 9
        GRID_2,  # 10
        feature("320612101001004", "重叠网格", "grid", "320612101001", (120.915, 32.00, 120.92, 32.02)),  # 11
        GRID_2,  # 12
        feature("320612101555555", "挂错网格", "grid", "320612101", (120.94, 32.03, 120.95, 32.04)),  # 13
        feature("320612101003", "小组", "hamlet", "320612101"),  # 14
        feature("320612101001006", "无界网格", "grid", "320612101001"),  # 15
        feature("320613101", "错码镇", "town", "320612", (120.95, 32.05, 121.00, 32.10)),  # 16
        feature("320612101002", "", "village", "320612101", (120.92, 32.00, 120.94, 32.02)),  # 17
    )

    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=text, source_name="broken.geojson")

    expected = [
        (5, "32061210100X", "digits only"),
        (7, "320612101009001", "Unknown parent 320612101009"),
        (8, "320612101001003", "outside its parent 320612101001"),
        (9, "320612101001005", "Self-intersection"),
        (11, "320612101001004", "overlaps its sibling 320612101001002 (line 10)"),
        (12, "320612101001002", "more than once in the file (first on line 10)"),
        (13, "320612101555555", "must be under a"),
        (14, "320612101003", "Unknown level 'hamlet'"),
        (15, "320612101001006", "needs a boundary"),
        (16, "320613101", "must start with its parent's code 320612"),
        (17, "320612101002", '"name"'),
    ]
    found = problems_of(caught)
    assert [(line, code) for line, code, _message in found] == [
        (line, code) for line, code, _text in expected
    ]
    for (_line, _code, message), (_l, _c, text_part) in zip(found, expected, strict=True):
        assert text_part in message
    assert "11 problems" in str(caught.value.message)
    assert Area.objects.count() == 0
    assert not AuditEntry.objects.filter(verb="import_areas").exists()


def test_json_error_is_reported_with_line_and_column(admin_user):
    text = '{"type": "FeatureCollection", "features": [\n{"type": "Feature"}\n{"type": "Feature"}\n]}'
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=text, source_name="bad.json")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (3, "")
    assert "column 1" in message


def test_overlapping_siblings(admin_user):
    overlapping = feature(
        "320612101001002", "二网格", "grid", "320612101001", (120.905, 32.00, 120.92, 32.02)
    )
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(*TREE[:5], overlapping), source_name="f")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (7, "320612101001002")
    assert "overlaps its sibling 320612101001001 (line 6)" in message
    assert "1," in message  # 0.005° × 0.02° ≈ 1,049,000 m², in thousands


def test_slivers_below_the_tolerance_are_accepted(admin_user, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "GEO_AREA_TOLERANCE_M2": 1.0}
    # Shifted by 1e-9° (0.1 mm): 0.2 m² of overlap and of grid outside the village.
    nudged = feature(
        "320612101001002", "二网格", "grid", "320612101001", (120.91 - 1e-9, 32.00, 120.92 + 1e-9, 32.02)
    )
    result = import_areas(actor=admin_user, text=collection(*TREE[:5], nudged), source_name="f")
    assert result.created == 6


def test_grid_outside_its_village(admin_user):
    outside = feature("320612101001002", "二网格", "grid", "320612101001", (120.91, 32.00, 120.925, 32.02))
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(*TREE[:5], outside), source_name="f")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (7, "320612101001002")
    assert "outside its parent 320612101001" in message


def test_unknown_parent(admin_user):
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(VILLAGE, GRID_1), source_name="f")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (2, "320612101001")
    assert "Unknown parent 320612101" in message


def test_parents_may_come_from_the_database(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    village = feature("320612101002", "花市街村", "village", "320612101", (120.92, 32.00, 120.94, 32.02))
    grid = feature(
        "320612101002001", "花市街村一网格", "grid", "320612101002", (120.92, 32.00, 120.94, 32.02)
    )
    result = import_areas(actor=admin_user, text=collection(grid, village), source_name="f")
    assert result.created == 2
    assert (
        Area.objects.get(code="320612101002001").path
        == "/320600/320612/320612101/320612101002/320612101002001/"
    )


def test_self_intersecting_bowtie(admin_user):
    bowtie = feature("320612101001002", "二网格", "grid", "320612101001", BOWTIE)
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(*TREE[:5], bowtie), source_name="f")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (7, "320612101001002")
    assert "Self-intersection" in message
    assert "longitude 120.905" in message and "latitude 32.005" in message


def test_existing_siblings_take_part_in_the_overlap_check(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    intruder = feature("320612101001003", "三网格", "grid", "320612101001", (120.905, 32.00, 120.915, 32.01))
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(intruder), source_name="f")
    messages = [message for _line, _code, message in problems_of(caught)]
    assert len(messages) == 2
    assert "existing area 320612101001001" in messages[0]
    assert "existing area 320612101001002" in messages[1]


def test_redefined_siblings_are_checked_with_their_new_boundary(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    # Move the shared border: grid 1 shrinks, grid 2 grows; fine together, not one at a time.
    grid_1 = feature("320612101001001", "一网格", "grid", "320612101001", (120.90, 32.00, 120.905, 32.02))
    grid_2 = feature("320612101001002", "二网格", "grid", "320612101001", (120.905, 32.00, 120.92, 32.02))
    result = import_areas(actor=admin_user, text=collection(grid_1, grid_2), source_name="f")
    assert result.updated == 2
    with pytest.raises(AreaImportError):
        import_areas(actor=admin_user, text=collection(GRID_1), source_name="f")


def test_shrinking_a_parent_checks_its_existing_children(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    smaller = feature("320612101001", "北渡村", "village", "320612101", (120.90, 32.00, 120.915, 32.02))
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(smaller), source_name="f")
    [(line, code, message)] = problems_of(caught)
    assert (line, code) == (2, "320612101001")
    assert "existing child 320612101001002" in message


def test_wrong_parent_level_and_code_length(admin_user):
    grid_under_town = feature("320612101001", "网格", "grid", "320612101", (120.90, 32.00, 120.92, 32.02))
    with pytest.raises(AreaImportError) as caught:
        import_areas(
            actor=admin_user, text=collection(CITY, DISTRICT, TOWN, grid_under_town), source_name="f"
        )
    messages = [message for _line, _code, message in problems_of(caught)]
    assert any("15 digits, this one has 12" in message for message in messages)
    assert any("The parent 320612101 is a" in message for message in messages)


def test_moving_a_district_moves_its_subtree(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="tree.geojson")
    other_city = feature("320700", "连云港市", "city", None)
    moved = {**DISTRICT, "properties": {**DISTRICT["properties"], "parent_code": "320700"}}
    result = import_areas(actor=admin_user, text=collection(other_city, moved), source_name="f")
    assert (result.created, result.updated) == (1, 1)
    paths = set(Area.objects.filter(path__startswith="/320700/").values_list("path", flat=True))
    assert "/320700/320612/320612101/320612101001/320612101001002/" in paths
    assert len(paths) == 6


def test_empty_file_is_a_problem(admin_user):
    with pytest.raises(AreaImportError) as caught:
        import_areas(actor=admin_user, text=collection(), source_name="f")
    assert "no features" in problems_of(caught)[0][2]


def test_import_needs_the_manage_areas_permission(plain_user, tree_text):
    with pytest.raises(PermissionDenied):
        import_areas(actor=plain_user, text=tree_text, source_name="f")
    assert Area.objects.count() == 0


def test_grid_index_is_invalidated_after_commit(admin_user, tree_text, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_areas(actor=admin_user, text=tree_text, source_name="f")
    assert callbacks == [invalidate_grid_index]


def test_update_area_changes_names_with_an_audit_row(admin_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="f")
    grid = Area.objects.get(code="320612101001001")

    update_area(actor=admin_user, area=grid, name=" 北渡村1号网格 ", aliases=["一组", " ", "一组", "二组"])

    grid.refresh_from_db()
    assert grid.name == "北渡村1号网格"
    assert grid.aliases == ["一组", "二组"]
    entry = AuditEntry.objects.get(verb="update_area")
    assert entry.target_id == str(grid.pk)
    assert entry.data["before"]["name"] == "北渡村一网格"
    assert entry.data["after"]["aliases"] == ["一组", "二组"]


def test_an_area_edit_makes_every_process_rebuild_its_gazetteer_and_area_cache(
    admin_user, tree_text, django_capture_on_commit_callbacks
):
    import_areas(actor=admin_user, text=tree_text, source_name="f")
    grid = Area.objects.get(code="320612101001001")
    with django_capture_on_commit_callbacks() as callbacks:
        update_area(actor=admin_user, area=grid, name="北渡村1号网格", aliases=["翰林花园"])
    assert callbacks == [invalidate_grid_index]
    with django_capture_on_commit_callbacks() as callbacks:
        update_area(actor=admin_user, area=grid, name="北渡村1号网格", aliases=["翰林花园"])  # no change
    assert callbacks == []


def test_update_area_validates_and_checks_permission(admin_user, plain_user, tree_text):
    import_areas(actor=admin_user, text=tree_text, source_name="f")
    grid = Area.objects.get(code="320612101001001")
    with pytest.raises(ValidationError) as caught:
        update_area(actor=admin_user, area=grid, name="  ", aliases=[])
    assert "name" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        update_area(actor=plain_user, area=grid, name="x", aliases=[])
