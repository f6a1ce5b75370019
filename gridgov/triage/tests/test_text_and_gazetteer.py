from __future__ import annotations

import pytest

from gridgov.triage.gazetteer import Gazetteer, Place
from gridgov.triage.text import chinese_number, features, normalize


@pytest.mark.parametrize(
    ("text", "value"),
    [("五", 5), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("百", None), ("", None)],
)
def test_chinese_numbers(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


def test_normalize_folds_width_case_and_group_numbers() -> None:
    assert normalize("北渡村五组　ＡＢＣ") == "北渡村5组 abc"
    assert normalize("十二组和二十三号") == "12组和23号"
    assert normalize("一些人") == "一些人"  # not a number before 组/号


def test_features_are_words_and_character_bigrams() -> None:
    tokens = features("河里有垃圾")
    assert "w:垃圾" in tokens
    assert {"河里", "里有", "有垃", "垃圾"} <= set(tokens)


def _places() -> Gazetteer:
    def place(code: str, name: str, level: str, parent: str | None) -> Place:
        return Place(code, name, level, code, parent)

    return Gazetteer(
        [
            (place("1", "南通市", "city", None), []),
            (place("11", "石港镇", "town", "1"), []),
            (place("111", "北渡村", "village", "11"), ["北渡"]),
            (place("1111", "北渡村第1网格", "grid", "111"), ["北渡村1组", "北渡村2组"]),
            (place("1112", "北渡村第2网格", "grid", "111"), ["北渡村3组", "北渡村4组", "人民路东段"]),
            (place("12", "金新街道", "town", "1"), []),
            (place("121", "南山湖社区", "village", "12"), []),
            (place("1211", "南山湖社区第1网格", "grid", "121"), ["翰林花园", "人民路西段"]),
            (place("1212", "南山湖社区第2网格", "grid", "121"), ["书香公寓", "人民路中段"]),
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("石港镇北渡村五组 河里有垃圾", None),  # 5组 does not exist: the village
        ("北渡村三组路口的灯坏了", "1112"),
        ("北渡村的4组有人烧秸秆", "1112"),  # village named, group later in the text
        ("翰林花园东门垃圾没人收", "1211"),
        ("南山湖书香公寓电梯坏了", "1212"),
    ],
)
def test_gazetteer_finds_the_grid(text: str, expected: str | None) -> None:
    match = _places().find(text)
    assert match is not None
    assert match.grid_code == expected
    if expected is None:
        assert match.area_code == "111"


def test_an_ambiguous_road_gives_the_smallest_common_area_unless_the_text_decides() -> None:
    gazetteer = _places()
    # 人民路 lies in both towns: nothing separates them, and a city is too coarse to be useful.
    assert gazetteer.find("人民路上有个大坑") is None
    # 南山湖社区 + 人民路: two grids of that community share the road, so the community is the answer.
    match = gazetteer.find("南山湖社区人民路上有个大坑")
    assert match is not None and match.area_code == "121" and match.grid_code is None
    # 石港镇 decides for the road's stretch in 北渡村.
    match = gazetteer.find("石港镇人民路上有个大坑")
    assert match is not None and match.grid_code == "1112"


def test_no_place_named() -> None:
    assert _places().find("我想咨询一下低保怎么申请") is None
    assert Gazetteer([]).find("北渡村") is None
