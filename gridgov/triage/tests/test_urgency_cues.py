"""The danger and "not now" cues read in context: negation, topic, worry, habit, past, resolution, order."""

from __future__ import annotations

import re

import pytest

from gridgov.triage import model, urgency
from gridgov.triage.corpus import load_corpus
from gridgov.triage.model import TriageModel, _with_cues
from gridgov.triage.text import normalize
from gridgov.triage.urgency import danger_cues, says_not_now, urgency_cues


def cues(text: str) -> urgency.UrgencyCues:
    return urgency_cues(normalize(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("楼道里着火了，浓烟很大", "fire"),
        ("柳湾村老刘家灶屋冒黑烟了，里头噼啪响", "fire"),
        ("麦田里有人在烧秸秆，火往村子这边跑", "fire"),
        ("火太大了扑不灭了", "fire"),  # 灭了 inside 扑不灭了 says nothing is over
        ("停电了灯也灭了，楼道里着火了", "fire"),
        ("平安里小区3栋着火了", "fire"),  # 平安 is a place name
        ("一进楼道就是臭鸡蛋味好浓", "gas"),
        ("我家液化气罐子底下在嘶嘶响，阀门拧不动了", "gas"),
        ("有个老太太在河埠头洗衣服掉下去了", "water"),
        ("窑厂的土坡塌下来了，把装车的师傅埋住了", "collapse"),
        ("后山滑坡了，泥石头冲到我家厨房", "collapse"),
        ("楼上扔下来一个花盆砸中老人", "collapse"),
        ("风好大，电线被树枝压断了，一头在地上乱甩", "electric"),
        ("网吧里有人捅人了，血流了一地", "violence"),
        ("两伙人持械斗殴", "violence"),
        ("楼顶有个女的坐在边上要跳楼", "violence"),
        ("那条狗咬住小孩的腿不松口", "violence"),
        ("老人一夜未归，电话关机", "missing"),
        ("孩子放学没到家，天都黑了", "missing"),
        ("我爸出去放牛，牛自己回来了，人没回来", "missing"),  # 回来了 is the cow
        ("水进屋了，还在往上涨", "flood"),
        ("河水漫过门槛往屋里灌", "flood"),
        ("独居老人倒在院子里叫不醒，呼之不应", "health"),
        ("屋里烧了炭盆，一氧化碳中毒，人已经不动了", "gas"),
        ("电梯困人，里面有个孕妇", "trapped"),
        ("小孩被锁在车里了，太阳底下", "trapped"),
    ],
)
def test_a_present_danger_is_a_danger_cue(text: str, kind: str) -> None:
    found = cues(text)
    assert kind in found.kinds and found.danger and not found.not_now
    assert kind in danger_cues(normalize(text)) and not says_not_now(normalize(text))


@pytest.mark.parametrize(
    "text",
    [
        "田边堆了秸秆，存在火灾隐患",
        "现场无明火，只有一点余烟",
        "加油站禁止明火",
        "暑期防溺水宣传进村",
        "河边没有护栏，有落水隐患",
        "网上说我的身份证信息泄漏了",
        "手机进水了开不了机",
        "电动车轮胎漏气",
        "我家猫不见了三天了",
        "包工头联系不上，工资没发",
        "在烧饭的时候油烟很大",
        "晚上的火烧云真好看",
        "看到小孩被锁在车里的新闻，想问问怎么办",
        "车钥匙反锁在车内了，车里没人",
        "河边散落的秸秆部分已滑入河中",
        "这是我的救命钱",
        "如果家里着火了怎么办",
        "是不是应该装个燃气报警器",
    ],
)
def test_a_hazard_topic_or_false_friend_is_not_a_danger_cue(text: str) -> None:
    assert danger_cues(normalize(text)) == []
    assert not cues(text).danger


@pytest.mark.parametrize(
    "text",
    [
        "昨天晚上有人烧麦秸，现在火已经灭了",
        "上礼拜老刘家灶屋着火，消防车开不进来，路能不能拓宽",
        "他们两家经常打架",
        "每年夏天都有孩子溺水",
        "来电人担心发生爆炸，要求检查",
        "我爸上个月晕倒过一次，现在好了",
        "人没事，不是火灾，是烧柴火灶的烟",
        "刚才那个燃气味查到了，是楼下饭店在熬东西，不是漏气",
        "现在没火了",
        "掉河里的孩子救上来了",
        "要跳楼的人劝下来了",
        "被困群众已全部转移",
        "断线已接好，警戒已撤除",
        "落水车辆已打捞上岸",
        "火势已控制",
        "打架的人都被派出所带走了",
        "孩子找到了，虚惊一场",
        "走失老人已于21时在邻村找到",
        "咨询一下火灾保险怎么买",
    ],
)
def test_over_past_feared_or_asked_is_not_now(text: str) -> None:
    found = cues(text)
    assert found.not_now and not found.danger and found.kinds == ()


@pytest.mark.parametrize(
    "text",
    [
        "房门已被堵住，屋里还有老人，水还在往里灌",  # 已被 is not "over"
        "稻田焚烧中，已在路口拦车，请求消防支援",  # nor is 已在
        "两名工人出现头晕，已送医，化学品桶还在泄漏",  # nor 已送医
        "燃气管道被挖断，嘶嘶作响，来电人担心发生爆炸",  # a worry does not cancel a vivid danger
        "天然气管道漏气了，小区存在很大隐患",
        "救出一人，另一人仍被困在里面",  # a danger told after the rescue
        "从昨天夜里开始雨就没停，现在水已经进屋了",  # 昨天 is when the rain began
        "我妈昨晚出门，至今未归",  # a state that lasts
        "有人落水，要求立即派人打捞",  # asked for, not done
        "15:30围墙突然倒塌，压住一辆电动车，暂未发现人员被压",  # not so far: no denial of the collapse
    ],
)
def test_not_now_words_do_not_cancel_a_present_danger(text: str) -> None:
    found = cues(text)
    assert found.danger and not found.not_now


def test_a_call_for_help_is_a_danger_without_a_kind() -> None:
    found = cues("救命 桥下面有人在喊")
    assert found.danger and not found.not_now
    assert not cues("如果家里真的着火了，是先打119还是先跑出去").danger


def test_the_danger_cues_become_two_features_at_the_end_of_the_vector() -> None:
    from scipy.sparse import csr_matrix

    texts = ["楼道里着火了", "火已经扑灭了", "路灯坏了"]
    matrix = _with_cues(csr_matrix((3, 5)), texts, 0.1).toarray()
    assert matrix.shape == (3, 7)
    assert matrix[:, 5:].round(3).tolist() == [[0.1, 0.0], [0.0, 0.1], [0.0, 0.0]]


def test_a_model_keeps_the_cue_weight_it_was_trained_with(tiny_model: TriageModel) -> None:
    assert tiny_model.cue_weight == model._CUE_WEIGHT
    del tiny_model.__dict__["cue_weight"]  # as a model saved before the weight was kept
    try:
        assert tiny_model.cue_weight == 1.0
    finally:
        tiny_model.cue_weight = model._CUE_WEIGHT


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        ("着火", {"着"}),
        ("(?:煤气|燃气)(?:的)?味", {"煤", "燃"}),
        ("(?<!气)炸了", {"炸"}),
        ("(?:被)?(?:水)?冲走", {"被", "水", "冲"}),
        ("[0-9]+个", set("0123456789")),
        ("a(?=[,.]|$)", {"a"}),
        ("(?:a)?b{0,2}c", {"a", "b", "c"}),
        ("ab?(?:c|d)*", {"a"}),
        ("[^a]b", None),
        ("a*", None),
    ],
)
def test_first_chars(pattern: str, chars: set[str] | None) -> None:
    found = urgency._first_chars(pattern)
    assert found == (None if chars is None else frozenset(chars))


def test_the_scanner_finds_what_the_alternation_finds() -> None:
    patterns = [cue.pattern for cue in urgency._CUES]
    alternation = re.compile("|".join(f"({p})" for p in patterns))
    texts = [normalize(e.text) for e in load_corpus()[::7]]
    for text in texts:
        expected = [(m.lastindex - 1, m.span()) for m in alternation.finditer(text) if m.lastindex]
        assert [(i, m.span()) for i, m in urgency._DANGER.finditer(text)] == expected, text
