"""Where is it? The grid (or the smallest area) named in an address or a report's text.

Residents and operators name places the way people do: 石港镇北渡村五组, 南山湖社区翰林花园, 钟秀路西段, or just
"翰林花园东门". The gazetteer knows every area's name, its aliases (组, 小区, 路, 桥, 河 ... kept on
``geo.Area.aliases``) and a few derived spellings (the name without 村/社区/街道/镇, a road without 东段/西段),
finds all of them in the text and picks the most specific area that the rest of the text agrees with:

* every name found votes for its areas; an area also counts the names found for its ancestors, so 北渡村5组
  inside 石港镇 beats a 5组 elsewhere;
* "5组" after a village name (北渡村的5组) is looked up as that village's group;
* a name shared by several areas that nothing else in the text separates gives their smallest common ancestor.

It is rebuilt with the grid index (the same version stamp), so an area import is seen by every process.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gridgov.triage.text import normalize

_SUFFIXES = ("社区居委会", "居委会", "街道", "社区", "村", "镇", "乡", "区")
_ROAD_PARTS = re.compile(r"(东段|西段|南段|北段|中段)$")
_GROUP = re.compile(r"(\d{1,2})组")
MIN_ALIAS_LEN = 2


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str
    path: str
    parent_code: str | None


@dataclass(frozen=True)
class Match:
    """The area found and how: ``grid`` is set when the area is a grid."""

    area_code: str
    grid_code: str | None
    names: tuple[str, ...]


class Gazetteer:
    def __init__(self, places: Iterable[tuple[Place, Iterable[str]]]) -> None:
        self.places: dict[str, Place] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        for place, aliases in places:
            self.places[place.code] = place
            for spelling in self._spellings(place, aliases):
                self._by_name[spelling].add(place.code)
        # Village groups: the village's spellings + "N组" → the grid(s) holding that group.
        names = sorted(self._by_name, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None

    @staticmethod
    def _spellings(place: Place, aliases: Iterable[str]) -> set[str]:
        spellings = {normalize(place.name)}
        for alias in aliases:
            alias = normalize(str(alias))
            if len(alias) >= MIN_ALIAS_LEN:
                spellings.add(alias)
                road = _ROAD_PARTS.sub("", alias)
                if road != alias and len(road) >= MIN_ALIAS_LEN:
                    spellings.add(road)
        for spelling in list(spellings):
            for suffix in _SUFFIXES:
                if spelling.endswith(suffix) and len(spelling) - len(suffix) >= MIN_ALIAS_LEN:
                    short = spelling[: -len(suffix)]
                    if not short.endswith(("第", "路", "街")):
                        spellings.add(short)
                    break
        return {s for s in spellings if len(s) >= MIN_ALIAS_LEN}

    @classmethod
    def from_database(cls) -> Gazetteer:
        from gridgov.geo.models import Area

        rows = Area.objects.filter(is_active=True).values_list(
            "code", "name", "level", "path", "aliases", "parent__code"
        )
        return cls(
            (Place(code, name, level, path, parent), aliases or [])
            for code, name, level, path, aliases, parent in rows
        )

    def __len__(self) -> int:
        return len(self.places)

    def _ancestors(self, code: str) -> list[str]:
        chain = []
        place = self.places.get(code)
        while place is not None and place.parent_code is not None:
            chain.append(place.parent_code)
            place = self.places.get(place.parent_code)
        return chain

    def _depth(self, code: str) -> int:
        return len(self._ancestors(code))

    def find(self, text: str) -> Match | None:
        """The most specific area named in ``text``, or None."""
        if self._pattern is None or not text:
            return None
        norm = normalize(text)
        found: dict[str, set[str]] = {}
        for hit in self._pattern.finditer(norm):
            found.setdefault(hit.group(0), set()).update(self._by_name[hit.group(0)])
        if not found:
            return None
        # "北渡村 … 5组": a group number after a village name.
        groups = {m.group(1) for m in _GROUP.finditer(norm)}
        if groups:
            for codes in list(found.values()):
                for code in list(codes):
                    village = self.places[code]
                    if village.level != "village":
                        continue
                    for number in groups:
                        key = normalize(village.name) + number + "组"
                        if key in self._by_name:
                            found.setdefault(key, set()).update(self._by_name[key])
        named = {code for codes in found.values() for code in codes}
        best: list[tuple[int, int, str]] = []
        for code in named:
            support = sum(1 for a in self._ancestors(code) if a in named)
            best.append((support, self._depth(code), code))
        best.sort(reverse=True)
        top_support, top_depth, _ = best[0]
        winners = [code for support, depth, code in best if (support, depth) == (top_support, top_depth)]
        chosen = winners[0] if len(winners) == 1 else self._common_ancestor(winners)
        if chosen is None:
            return None
        code = chosen
        place = self.places[code]
        names = tuple(sorted(name for name, codes in found.items() if codes & ({code} | set(winners))))
        return Match(area_code=code, grid_code=code if place.level == "grid" else None, names=names)

    def _common_ancestor(self, codes: list[str]) -> str | None:
        paths = [[*reversed(self._ancestors(c)), c] for c in codes]
        common: str | None = None
        for level in zip(*paths, strict=False):
            if len(set(level)) != 1:
                break
            common = level[0]
        if common is None or self.places[common].level in ("city", "province"):
            return None
        return common


_gazetteer: Gazetteer | None = None
_gazetteer_version: str | None = None
_lock = threading.Lock()


def get_gazetteer() -> Gazetteer:
    """The process's gazetteer, rebuilt when the areas change (the grid index's version stamp)."""
    global _gazetteer, _gazetteer_version
    from gridgov.geo.index import current_index_version

    version = current_index_version()
    gazetteer = _gazetteer
    if gazetteer is not None and version == _gazetteer_version:
        return gazetteer
    with _lock:
        if _gazetteer is None or version != _gazetteer_version:
            _gazetteer = Gazetteer.from_database()
            _gazetteer_version = version
        return _gazetteer
