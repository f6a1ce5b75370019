"""Words that say a danger is happening now, and words that say it is not (over, elsewhere, only feared).

The urgency model learns from the corpus; these lists add what a dispatcher knows for certain: a report that
describes fire, gas, someone in the water, a collapse, a live wire, a fight, a missing person or water entering
homes is urgent unless the text says it is over or only a worry. ``danger_cues`` returns the matches so that the
dispatcher's view can show why a report was marked urgent.
"""

from __future__ import annotations

import re

#: Phrases of immediate danger, by kind (the kind is shown to the dispatcher).
DANGER = {
    "fire": (
        "着火",
        "起火",
        "失火",
        "火灾",
        "烧起来",
        "火很大",
        "火势",
        "浓烟",
        "明火",
        "正在烧",
        "在烧",
        "烧着了",
        "火光",
        "火烧",
        "烟很大",
        "大火",
        "火苗",
        "蔓延",
    ),
    "gas": ("煤气味", "燃气味", "天然气味", "液化气味", "闻到煤气", "漏气", "燃气泄漏", "煤气泄漏", "泄漏"),
    "water": (
        "落水",
        "掉河里",
        "掉进河",
        "掉到河",
        "掉水里",
        "掉进水",
        "溺水",
        "跳河",
        "被冲走",
        "掉进塘",
        "掉塘里",
    ),
    "collapse": ("塌了", "倒塌", "坍塌", "塌方", "垮了", "砸到人", "压住"),
    "electric": ("电线掉", "电线断", "电线落", "高压线断", "线杆倒", "漏电", "触电", "冒火花", "打火花"),
    "violence": (
        "打起来",
        "打架",
        "斗殴",
        "持刀",
        "拿刀",
        "动刀",
        "砍人",
        "打人",
        "头破血流",
        "流血",
        "打伤",
    ),
    "missing": ("走失", "走丢", "不见了", "找不到人", "找不到了", "失踪", "没回家", "联系不上"),
    "flood": ("水漫进", "进水了", "淹了", "水灌进", "倒灌", "漫进屋", "淹到", "屋里进水"),
    "health": ("晕倒", "昏迷", "中毒", "喘不上气", "倒地不起", "抽搐", "不省人事"),
    "trapped": ("被困", "困在", "关在电梯"),
}

#: Phrases that say the danger is over, past or only feared.
NOT_NOW = (
    "已经灭",
    "已扑灭",
    "已经扑灭",
    "火灭了",
    "灭掉了",
    "昨天",
    "前天",
    "上周",
    "上个月",
    "上次",
    "之前",
    "以前",
    "去年",
    "前几天",
    "担心",
    "万一",
    "隐患",
    "会不会",
    "容易",
    "可能会",
    "防止",
    "以防",
    "已处理",
    "已经处理",
    "已解决",
    "已经找到",
    "找到了",
    "已经回家",
    "救上来了",
    "已送医",
    "没人受伤",
    "平安",
    # Found, rescued, separated, repaired, put out, called off: the moment of danger is over.
    "已找到",
    "已在",
    "救出",
    "已被",
    "拉开",
    "劝开",
    "修好",
    "修了",
    "灭了",
    "已撤销",
    "已停用",
    "已平息",
    "已恢复",
    "结束了",
    "差点",
)

_DANGER_RE = re.compile("|".join(re.escape(p) for phrases in DANGER.values() for p in phrases))
_NOT_NOW_RE = re.compile("|".join(re.escape(p) for p in NOT_NOW))
_KIND = {p: kind for kind, phrases in DANGER.items() for p in phrases}


def danger_cues(text: str) -> list[str]:
    """The kinds of danger named in the text, in order of appearance, without repeats."""
    kinds: list[str] = []
    for match in _DANGER_RE.finditer(text):
        kind = _KIND[match.group(0)]
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def says_not_now(text: str) -> bool:
    return _NOT_NOW_RE.search(text) is not None
