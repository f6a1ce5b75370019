"""Reading and writing GeoJSON FeatureCollections with line numbers.

Area files are edited by people in text editors and GIS tools, and an import that fails must say *where*:
"line 214 · code 320612101001003 · overlaps …". ``json.load`` forgets positions, so ``read_features`` walks the
top-level object and the ``features`` array itself and decodes each feature with
``json.JSONDecoder.raw_decode``, remembering the line where the feature starts. ``write_feature_collection``
writes one feature per line so that the line numbers of an exported file are meaningful when it comes back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.geo.models import Area

_WHITESPACE = " \t\n\r"


class TextWriter(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class SourceFeature:
    """One element of the ``features`` array, with the line (1-based) where it starts in the file."""

    line: int
    index: int
    data: Any


class GeoJSONSyntaxError(ValueError):
    """The text is not JSON, or not a FeatureCollection; carries the line and column (1-based)."""

    def __init__(self, message: str | Promise, line: int, column: int) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"{message} (line {line}, column {column})")


class _Cursor:
    """Position bookkeeping over the text: offsets to line/column, whitespace skipping, expected characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        # Line numbers are asked for in increasing positions: count newlines from the last answer on (in C).
        self._counted_to = 0
        self._newlines_before = 0

    def line_of(self, pos: int) -> int:
        if pos < self._counted_to:
            self._counted_to = self._newlines_before = 0
        self._newlines_before += self.text.count("\n", self._counted_to, pos)
        self._counted_to = pos
        return self._newlines_before + 1

    def line_col(self, pos: int) -> tuple[int, int]:
        return self.line_of(pos), pos - (self.text.rfind("\n", 0, pos) + 1) + 1

    def error(self, message: str | Promise, pos: int | None = None) -> GeoJSONSyntaxError:
        line, column = self.line_col(self.pos if pos is None else pos)
        return GeoJSONSyntaxError(message, line, column)

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, chars: str) -> str:
        char = self.peek()
        if not char or char not in chars:
            expected = " or ".join(repr(c) for c in chars)
            found = repr(char) if char else _("end of file")
            raise self.error(
                _("JSON syntax error: expected %(expected)s, found %(found)s.")
                % {"expected": expected, "found": found}
            )
        self.pos += 1
        return char

    def value(self, decoder: json.JSONDecoder) -> Any:
        self.skip_ws()
        try:
            value, end = decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise self.error(_("JSON syntax error: %(error)s.") % {"error": exc.msg}, exc.pos) from exc
        self.pos = end
        return value


def read_features(text: str) -> list[SourceFeature]:
    """Parse a FeatureCollection and return its features with their starting line numbers.

    Only the envelope is checked here (a JSON object with ``"type": "FeatureCollection"`` and a ``features``
    array); what each feature must contain is the importer's business. Raises ``GeoJSONSyntaxError``.
    """
    if text.startswith("\ufeff"):  # a byte-order mark left by some Windows editors
        text = text[1:]
    cursor = _Cursor(text)
    decoder = json.JSONDecoder()
    features: list[SourceFeature] | None = None
    collection_type: Any = None
    seen_keys: set[str] = set()

    if cursor.peek() != "{":
        raise cursor.error(_("The file must be a GeoJSON FeatureCollection (a JSON object)."))
    cursor.pos += 1
    if cursor.peek() == "}":
        cursor.pos += 1
    else:
        while True:
            if cursor.peek() != '"':
                raise cursor.error(_("JSON syntax error: expected a property name in double quotes."))
            key_pos = cursor.pos
            key = cursor.value(decoder)
            if key in seen_keys:
                raise cursor.error(_("The member %(key)s appears twice.") % {"key": repr(key)}, key_pos)
            seen_keys.add(key)
            cursor.expect(":")
            if key == "features":
                features = _read_feature_array(cursor, decoder)
            else:
                value = cursor.value(decoder)
                if key == "type":
                    collection_type = value
            if cursor.expect(",}") == "}":
                break
    if cursor.peek():
        raise cursor.error(_("JSON syntax error: extra data after the end of the FeatureCollection."))
    if collection_type != "FeatureCollection":
        raise GeoJSONSyntaxError(
            _('The file must be a GeoJSON object with "type": "FeatureCollection".'), 1, 1
        )
    if features is None:
        raise GeoJSONSyntaxError(_('The FeatureCollection has no "features" array.'), 1, 1)
    return features


def _read_feature_array(cursor: _Cursor, decoder: json.JSONDecoder) -> list[SourceFeature]:
    if cursor.peek() != "[":
        raise cursor.error(_('"features" must be an array.'))
    cursor.pos += 1
    features: list[SourceFeature] = []
    if cursor.peek() == "]":
        cursor.pos += 1
        return features
    while True:
        cursor.skip_ws()
        line = cursor.line_of(cursor.pos)
        features.append(SourceFeature(line=line, index=len(features), data=cursor.value(decoder)))
        if cursor.expect(",]") == "]":
            return features


# --- Writing ----------------------------------------------------------------------------------------------------


def area_feature(
    area: Area, *, parent_code: str | None = None, include_aliases: bool = True
) -> dict[str, Any]:
    """The GeoJSON Feature of an area, in the shape ``import_areas`` reads back."""
    if parent_code is None and area.parent is not None:
        parent_code = area.parent.code
    properties: dict[str, Any] = {
        "code": area.code,
        "name": area.name,
        "level": area.level,
        "parent_code": parent_code,
    }
    if include_aliases:
        properties["aliases"] = list(area.aliases or [])
    return {"type": "Feature", "properties": properties, "geometry": area.boundary}


def write_feature_collection(features: Iterable[dict[str, Any]], out: TextWriter) -> int:
    """Write a FeatureCollection with one feature per line; returns the number of features.

    The first feature is on line 2, the n-th on line n + 1, so an import error's line number points straight at
    the feature in an exported file.
    """
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    pending: str | None = None
    # Every write ends with a newline, so wrappers that add one (a management command's stdout) change nothing.
    for feature in features:
        if pending is not None:
            out.write(pending + ",\n")
        pending = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        count += 1
    if pending is not None:
        out.write(pending + "\n")
    out.write("]}\n")
    return count


def iter_area_features(areas: Iterable[Area]) -> Iterator[dict[str, Any]]:
    """Features of ``areas`` (select the parent with ``select_related("parent")`` to avoid a query each)."""
    for area in areas:
        yield area_feature(area)


def write_areas(areas: Iterable[Area], out: TextWriter) -> int:
    """Export ``areas`` as a FeatureCollection that ``import_areas`` accepts unchanged."""
    return write_feature_collection(iter_area_features(areas), out)
