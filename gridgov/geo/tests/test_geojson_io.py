"""Features come back with the line they start on; syntax errors say where; exports keep one feature a line."""

from __future__ import annotations

import io
import json

import pytest

from gridgov.geo.geojson_io import GeoJSONSyntaxError, read_features, write_feature_collection
from gridgov.geo.tests.conftest import TREE, collection


def test_pretty_printed_file_gives_feature_lines():
    text = json.dumps({"type": "FeatureCollection", "features": TREE[:3]}, indent=2, ensure_ascii=False)
    features = read_features(text)
    lines = text.splitlines()
    assert [f.index for f in features] == [0, 1, 2]
    for found in features:
        # The feature's opening brace is on the reported line, and its code a few lines below.
        assert lines[found.line - 1].strip() == "{"
        assert found.data == TREE[found.index]


def test_members_in_any_order_and_bom():
    text = '\ufeff{"features": [\n{"type": "Feature"}\n], "type": "FeatureCollection", "bbox": [1, 2, 3, 4]}'
    features = read_features(text)
    assert [(f.line, f.data) for f in features] == [(2, {"type": "Feature"})]


def test_exported_file_has_one_feature_per_line():
    text = collection(*TREE)
    lines = text.splitlines()
    assert len(lines) == len(TREE) + 2
    features = read_features(text)
    assert [f.line for f in features] == [i + 2 for i in range(len(TREE))]
    assert [f.data for f in features] == TREE
    assert "北渡村" in text  # readable Chinese, not \u escapes


def test_empty_collection_roundtrip():
    out = io.StringIO()
    assert write_feature_collection([], out) == 0
    assert read_features(out.getvalue()) == []


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        (
            '{"type": "FeatureCollection", "features": [\n{"type": "Feature"}\n{"type": "Feature"}\n]}',
            3,
            1,
            "expected",
        ),
        ('{"type": "FeatureCollection", "features": [\n{"type": "Feature",}\n]}', 2, 20, "JSON syntax error"),
        ('{"type": "FeatureCollection",\n "features": [\n', 3, 1, "JSON syntax error"),
        ("[1, 2]", 1, 1, "FeatureCollection"),
        ('{"type": "Feature", "features": []}', 1, 1, "FeatureCollection"),
        ('{"type": "FeatureCollection"}', 1, 1, '"features"'),
        ('{"type": "FeatureCollection", "features": {}}', 1, 43, "array"),
        ('{"type": "FeatureCollection", "features": []}\n{}', 2, 1, "extra data"),
        ('{"type": "FeatureCollection", "features": [], "features": []}', 1, 47, "twice"),
    ],
)
def test_syntax_errors_have_line_and_column(text, line, column, expected):
    with pytest.raises(GeoJSONSyntaxError) as caught:
        read_features(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert expected in str(caught.value.message)
