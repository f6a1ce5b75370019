"""Chinese text as the triage models see it: normalised, cut into words by jieba, plus characters and bigrams.

Reports are short, colloquial and full of typos, so words alone miss too much (a wrong character breaks a word)
and characters alone miss word meaning; the features are both. Normalisation folds full-width forms, case and
Chinese numerals in place names (五组 → 5组) so that the gazetteer and the models see one spelling.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)
_jieba_lock = threading.Lock()
_jieba_ready = False

#: Words jieba's general dictionary cuts wrongly in this domain (kept whole, so they become features).
DOMAIN_WORDS = (
    "网格员",
    "网格长",
    "秸秆",
    "焚烧",
    "抛河",
    "漂浮物",
    "黑臭",
    "窨井盖",
    "凸面镜",
    "反光镜",
    "广角镜",
    "宅基地",
    "低保",
    "五保户",
    "独居老人",
    "空巢老人",
    "微心愿",
    "高空抛物",
    "电瓶车",
    "电动车",
    "飞线充电",
    "煤气罐",
    "液化气",
    "燃气",
    "违建",
    "违章搭建",
    "占道经营",
    "流动摊贩",
    "广场舞",
    "物业费",
    "门禁",
    "欠薪",
    "拖欠工资",
    "社保",
    "工伤",
    "劳动合同",
    "公证",
    "法律援助",
    "遗嘱",
    "狂犬疫苗",
    "医保",
    "报销",
    "校车",
    "托育",
    "幼儿园",
    "有线电视",
    "机顶盒",
    "宽带",
    "停水",
    "停电",
    "水压",
    "路灯",
    "坑洼",
    "护栏",
    "减速带",
    "红绿灯",
    "垃圾桶",
    "垃圾箱",
    "建筑垃圾",
    "河长",
    "排污口",
    "涵闸",
    "积水",
    "落水",
    "溺水",
    "走失",
    "打架",
    "斗殴",
    "赌博",
    "诈骗",
    "偷盗",
    "扰民",
    "噪音",
    "异味",
    "油烟",
    "过期",
    "假冒伪劣",
    "无证经营",
    "食物中毒",
    "来电人",
    "诉求人",
    "已拍照",
    "已现场处置",
)

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十]{1,4})(?=[组号队幢栋])")
_SPACES = re.compile(r"\s+")


def ensure_jieba() -> None:
    """Load jieba's dictionary with the domain words (once per process; the first cut does it otherwise)."""
    global _jieba_ready
    if _jieba_ready:
        return
    with _jieba_lock:
        if not _jieba_ready:
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word, freq=20000)
            _jieba_ready = True


def chinese_number(text: str) -> int | None:
    """``"十二"`` → 12, ``"二十三"`` → 23, ``"五"`` → 5; None when it is not a number below 100."""
    if not text:
        return None
    if "十" not in text:
        if len(text) != 1 or text not in _CN_DIGITS:
            return None
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    if (
        len(tens) > 1
        or len(ones) > 1
        or (tens and tens not in _CN_DIGITS)
        or (ones and ones not in _CN_DIGITS)
    ):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _digits(match: re.Match[str]) -> str:
    value = chinese_number(match.group(1))
    return str(value) if value is not None else match.group(1)


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, one space, Chinese numerals before 组/号/队/幢/栋 as digits."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _CN_NUMBER.sub(_digits, text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """jieba's words of the normalised text (precise mode, no HMM: faster and steadier on short texts)."""
    ensure_jieba()
    return [w for w in jieba.lcut(normalize(text), HMM=False) if w.strip()]


@lru_cache(maxsize=4096)
def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def features(text: str) -> list[str]:
    """The tokens the vectoriser counts: words (prefixed ``w:``), single characters and character bigrams of the
    Chinese runs (cross-validated on the corpus: characters add about two points of accuracy, trigrams lose one)."""
    norm = normalize(text)
    ensure_jieba()
    tokens = ["w:" + w for w in jieba.lcut(norm, HMM=False) if w.strip() and not w.isspace()]
    han = "".join(ch if _is_han(ch) else " " for ch in norm)
    for run in han.split():
        tokens.extend(run)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens
