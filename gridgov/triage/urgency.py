"""Words that say a danger is happening now, and words that say it is not (over, past, only feared, asked about).

The urgency model learns from the corpus; these cues add what a dispatcher knows for certain: a report that
describes fire, gas, someone in the water, a collapse, a live wire, a fight, a missing person or water entering
homes is urgent unless the text says it is over or only a worry. ``danger_cues`` returns the kinds of danger the
text describes as present, so that the dispatcher's view can show why a report was marked urgent;
``urgency_cues`` gives the two facts the urgency classifier listens to (see ``model._with_cues``).

Plain substring matching is not enough: "火灾隐患", "无明火", "禁止明火", "防溺水", "轮胎漏气", "手机进水了",
"我家猫不见了" name no present danger, and "扑不灭了" says nothing is over. So each danger phrase is read in its
clause (the text between two punctuation marks or spaces):

* denied, or a topic rather than an event: a negation just before it (没有、无、未发现、不是、禁止、严禁、防…)
  or a topic word just after it (隐患、风险、安全、宣传、演练、事件、报警器…);
* only feared, a habit, almost, or asked about: 担心、怕、万一、如果、容易、差点、以为、听说、经常、每年…
  earlier in the clause, or 怎么办 / 的话 / 吗 after it; a text that asks (咨询、请问、想问…) and says nothing
  of now;
* past: an earlier time (昨天、上周、之前、三天前…) earlier in the clause, or anywhere in a text that says nothing
  of now (现在、正在、还在、刚才…), or 过 / 后 just after it ("晕倒过一次"、"倒塌后重砌"); a state that
  lasts (未归、没回来、失联) stays present whenever it began;
* about things, not people: what fell in the river is straw, what "不见了" is a cat or a parcel, who is
  "联系不上" is a boss, what collapsed is a field bank.

What remains is a present danger, unless a later phrase says it is over (扑灭、救上来了、已找到、人没事、
虚惊一场、已撤除…, but not "要求派人扑灭") or denies the same danger ("燃气味……不是漏气"); a danger told after
that ("救出一人，另一人仍被困") is present again. Worry, hazard, habit, past and question words, and the dangers
read as denied, feared or past, say "not now" only when no present danger remains: "来电人担心发生爆炸" does
not cancel the gas hissing out of a broken pipe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

# The normalised text (``text.normalize``) has half-width punctuation, but 。 and 、 stay full width.
_CLAUSE_END = frozenset(",.!?;:。、…~()[]\"' \n\t")
_C = r"[^,.!?;:。、…~()\[\]\"'\s]"  # a character inside a clause
_SENTENCE_END = frozenset("。!?;\n")
_END = r"(?=[,.!?;:。、…~()\[\]\"'\s]|$)"  # the end of a clause


@dataclass(frozen=True)
class _Cue:
    kind: str  # "" for a danger of no kind shown to the dispatcher: a call for help, a road accident
    pattern: str
    #: Found earlier in the same clause, these words make the phrase about something else ("轮胎" before "漏气").
    unless_before: str = ""
    #: A state that lasts (still not back): an earlier time in the text does not make it past.
    lasts: bool = False
    #: Only when this comes just before the phrase in its clause ("孩子" before "不见了").
    after: str = ""


_PEOPLE = (
    "孩子|小孩|娃|儿子|女儿|孙子|孙女|外孙|老人|老太|老头|老爷子|老伴|奶奶|爷爷|外公|外婆|姥姥|姥爷|妈|爸|"
    "母亲|父亲|婆婆|公公|老婆|老公|妻子|丈夫|弟弟|妹妹|哥哥|姐姐|学生|男孩|女孩|男童|女童|幼儿|宝宝|人"
)
_ANIMALS_AND_THINGS = "猫|狗|牛|羊|猪|鸡|鸭|鹅|鸽|鸟|兔|宠物|快递|包裹|钱包|手机|钥匙|车|东西|证件|身份证"
_BUSINESS = (
    "老板|包工头|工头|负责人|机构|公司|商家|店家|店主|卖家|房东|中介|物业|开发商|施工方|对方|客服|厂家|厂方|"
    "法人|经理|校长|承包人|借款人|网友|同学|朋友|骗子"
)
_THINGS = "秸秆|垃圾|石块|石头|土方|泥土|杂物|桶|树|枝|砖|瓦|东西|球|手机|钥匙|秧|草|渣|石|土"
_BANKS = "田埂|田边|水渠|沟渠|渠|河岸|岸|护坡|边坡|路肩|路沿|土方|台阶|河坡|堤身|田|坟"
_WATER_BODY = "河|江|湖|塘|水库|水里|水中|水池|池子|井|渠|海|冰窟|冰窟窿|鱼塘|水塘|池塘|粪坑|粪池"
_WEAPON = "刀|斧|棍|棒|砖|钢管|甩棍|酒瓶|匕首|螺丝刀|铁棍|木棍|榔头|锤子"

_CUES: tuple[_Cue, ...] = (
    # --- fire: burning now, smoke pouring out, an explosion.
    *(
        _Cue("fire", p)
        for p in (
            "着火",
            "起火",
            "失火",
            "火灾",
            "烧起来",
            "着起来",
            "火很大",
            "火好大",
            "火太大",
            "火势",
            "浓烟",
            "明火",
            "正在烧",
            "烧着了",
            "火光",
            "大火",
            "火苗",
            "火舌",
            "救火",
            "冒火",
            "火星往",
            "火越烧越",
            "火越来越",
            "烧过来",
            "烧到了",
            "引燃",
            "爆燃",
            "爆炸",
            f"(?:火|烟){_C}{{0,6}}蔓延",
            "(?:正在|在)(?:燃烧|焚烧)|(?:燃烧|焚烧)中",
            # 在烧饭、在烧水、在烧香、在烧纸: cooking, worship.
            "在烧(?![饭水菜汤香纸烤炕炉锅开炭煤柴艾茶]|什么|东西|垃圾|电线|电缆|塑料)",
            "火烧到|火烧过来",
            "(?<!气)炸了",
            "(?:全|都)是烟|满屋(?:子)?(?:的)?烟|(?<![油香])烟(?:越来越大|很大|好大)",
            f"烟(?!囱|筒)(?:(?!烟囱|烟筒){_C}){{0,12}}(?:冒出来|往外冒|冒进来|往里进|往里灌)",
            "(?:房|屋|棚|垛|堆|车|楼|柴|草|林|山|仓库|厂)(?:子)?着了|又烧了|点起来了",
            # Straw burning (a fire in the fields is urgent while it burns).
            "(?:烧|点|焚烧)(?:着)?(?:秸秆|秸杆|麦秆|麦秸|麦茬|稻草|稻秆|油菜秆|玉米秆|柴火垛|草堆)",
        )
    ),
    # 冒烟 of a chimney, an exhaust or a wok is pollution or cooking, not a fire.
    _Cue(
        "fire",
        f"冒(?:出|着)?{_C}{{0,6}}烟(?![囱筒花酒草头尘])",
        unless_before="烟囱|烟筒|排气|尾气|油烟|锅|灶台|炉灶|香|艾",
    ),
    # --- gas: the smell, the hiss, a leaking pipe or bottle.
    *(
        _Cue("gas", p)
        for p in (
            "(?:煤气|燃气|天然气|液化气|煤汽|沼气|氯气|氨气|液氨)(?:的)?(?:味|气味)",
            f"闻(?:到|着)(?:了)?{_C}{{0,3}}(?:煤气|燃气|天然气|液化气)",
            "(?:往外|呼呼|一直)(?:冒|喷)气",
            "臭鸡蛋(?:的)?味",
            "(?:煤气|燃气|天然气|液化气|气罐|钢瓶|气瓶|管道|管子|阀门|气体|毒气|氨气|氯气|化学品|危化品|储罐|罐子|罐体)"
            f"{_C}{{0,6}}(?:泄漏|泄露|外泄|漏了|在漏|一直在漏|漏气|喷气|冒气|往外冒|往外喷|嘶嘶|嗞嗞|嗤嗤)",
            "(?:嘶嘶|嗞嗞|嗤嗤)",
            "一氧化碳|煤气中毒|毒气|硫化氢",
        )
    ),
    _Cue("gas", "漏气", unless_before="胎|球|气垫|充气|袋|坝"),
    _Cue(
        "gas",
        f"(?:发生|正在|还在){_C}{{0,2}}(?:泄漏|泄露)|泄漏了",
        unless_before="信息|隐私|个人|数据|资料|密码|号码",
    ),
    # --- water: someone fell, jumped or was swept into water.
    *(
        _Cue("water", p)
        for p in (
            "落水",
            "溺水",
            f"跳(?:入|进|下|到)?(?:了)?(?:{_WATER_BODY})",
            f"船{_C}{{0,2}}翻了|翻船",
            "掉下去|沉下去|滑下去|没上来|一沉一浮",
            f"(?:{_WATER_BODY}|水面|水上){_C}{{0,8}}(?:扑腾|挣扎|漂着(?:一个)?人)",
            "在水里扑腾|在水中挣扎|扑腾",
        )
    ),
    # Whoever fell in, not straw, rubbish or stones.
    *(
        _Cue("water", p, unless_before=_THINGS)
        for p in (
            "(?:被)?(?:水)?冲走",
            f"(?:掉|跌|摔|滑|坠|落|翻|冲|栽|走|溜)(?:进|入|到|下|落)?(?:了)?(?:{_WATER_BODY}|深水)",
        )
    ),
    # --- collapse: something fell down or gave way, people under it (a field bank or a ditch is not a house).
    *(
        _Cue("collapse", p, unless_before=_BANKS)
        for p in (
            "塌了",
            "倒塌",
            "坍塌",
            "塌方",
            "垮塌",
            "塌下来",
            "塌下去",
            "塌落",
            "滑塌",
            "塌陷|坍陷",
            "下陷",
            "陷下去",
            f"(?:冲|压)垮|(?:墙|房|屋|桥|堤|坝|棚|楼|路基){_C}{{0,3}}垮了",
        )
    ),
    *(
        _Cue("collapse", p)
        for p in (
            "滑坡",
            "泥石流",
            "砸到人",
            f"被{_C}{{0,4}}砸(?:伤|中|到|倒)",
            f"砸在{_C}{{0,4}}(?:人|头|身上)",
            "压住",
            "压着人",
            "被压(?![坏出弯扁碎断倒])",
            "压在(?:下面|底下|里面|车下)",
            "被埋|埋住|埋在",
            f"(?:墙|房子|屋顶|楼板|脚手架|广告牌|招牌|大树|树|电线杆|塔吊|棚|架子){_C}{{0,6}}倒(?:了|下来|塌)|(?:墙|树|架子|棚|招牌|广告牌){_C}{{0,2}}倒在",
            "(?:正在|还在|一直在)往下(?:掉|塌|砸|落)|往下塌|(?:悬|挂|吊)在半空|(?:正在|还在|剧烈)(?:晃动|摇晃|摆动)",
        )
    ),
    *(
        _Cue("collapse", p, unless_before="车辆|车窗|玻璃|车身|雨棚|汽车|轿车")
        for p in ("砸中", "砸伤", "压伤")
    ),
    *(
        _Cue("collapse", p)
        for p in (
            "随风摆动|悬挂摆动|(?:吊|挂|悬)在{_C}{{0,4}}晃|(?:正|正在)往下掉|在(?:晃动|摇晃)",
            f"(?:桥|楼|房|车|船){_C}{{0,6}}下沉",
        )
    ),
    # --- electric: a wire down, sparks, someone shocked.
    *(
        _Cue("electric", p)
        for p in (
            f"电线{_C}{{0,4}}(?:掉|断|落|垂|耷拉|甩|泡|搭)",
            f"(?:高压线|电缆|线头|电杆|电线杆|线杆){_C}{{0,4}}(?:断|倒|掉|落|垂|耷拉)",
            f"线{_C}{{0,3}}(?:掉|落|垂|耷拉|拖|泡)(?:在)?(?:地上|路上|路中间|路边|水里|积水|田里|草里)",
            "断(?:了|开)?的(?:电线|电缆|高压线)",
            f"(?:碰|触|挂|搭)(?:到|着|在)?{_C}{{0,3}}(?:高压线|电线)(?!杆)",
            "漏电",
            "触电",
            "被电(?:了|到|倒|击|伤)",
            "电到(?:了|人)",
            "带电",
            "冒火花|打火花|火花四溅|冒蓝光|蓝火|放电声|在放电|电弧|(?:滋滋|嗞嗞)(?:响|作响|的响)",
        )
    ),
    # --- violence: a fight, a weapon, a threat to kill, self-harm, an animal attacking.
    *(
        _Cue("violence", p)
        for p in (
            "打起来",
            "打架(?!的)",
            "斗殴",
            "群殴",
            "互殴",
            "殴打",
            "扭打",
            "厮打",
            "打群架",
            "打斗",
            "推打",
            "打砸",
            "持刀|拿刀|动刀|持械",
            f"(?:拿|持|举|挥|抡|握|拔|掏)(?:着|起|了|出)?{_C}{{0,4}}(?:{_WEAPON})",
            f"(?:手里|手上)(?:拿|握|提|举)着{_C}{{0,3}}(?:铁锹|锄头|扁担|钢筋)",
            f"躲在{_C}{{0,4}}(?:卫生间|厕所|卧室|房间|床底|柜子|车里)",
            f"拳打脚踢|按在地上|拖出来打|围着{_C}{{0,6}}打|掐(?:着)?{_C}{{0,4}}脖子|在打(?:人|我|他|她|我们|你们|他们)",
            f"往{_C}{{0,4}}车里(?:拽|拖|拉|塞)",
            "砍人|砍伤|追砍|捅人|捅伤|捅了|刺伤|追打|往死里打",
            "打人(?!的|者)",
            "打伤",
            "被打(?:倒|伤|得)",
            "头破血流|满头是血|满脸是血|满身是血|全是血|一地血|血流了|流血",
            "(?:要|说要|扬言|喊着要)(?:杀|砍死|弄死|打死|捅死)|同归于尽",
            "抢劫|抢包(?!的)|拐卖|绑架|劫持",
            # Someone about to take their own life.
            "跳楼|要跳|往下跳|跳下去|就跳(?![舞绳起])|轻生|自杀|寻死|不想活",
            f"(?:喝|吃|吞)(?:了)?{_C}{{0,6}}(?:农药|安眠药|老鼠药|敌敌畏|百草枯)",
            "割腕|遗书",
            # An animal attacking.
            f"咬人|咬伤|咬住|在咬|撕咬|追咬|扑咬|咬了{_C}{{0,4}}(?:人|小孩|孩子|老人|路人)|被(?:毒)?蛇咬|被(?:马)?蜂{_C}{{0,2}}蜇",
        )
    ),
    _Cue("violence", f"(?:撬|拧|砸|踹){_C}{{0,3}}(?:门|锁|窗)", after=f"(?:有人|陌生人){_C}{{0,4}}"),
    # --- missing: a person (not a cat, not a parcel, not a boss) who has not come back.
    *(
        _Cue("missing", p, unless_before=_ANIMALS_AND_THINGS)
        for p in ("走失", "走丢", "失踪", "走散", "跟丢", "离家出走", "不见踪影")
    ),
    *(
        _Cue("missing", p, unless_before=_ANIMALS_AND_THINGS, lasts=True)
        for p in (
            "(?:没|未)(?:有)?回(?:家|来)",
            "未归|夜不归宿|(?:没|未)到家|(?:没|未)到学校|没去上学",
            "下落不明|去向不明|不知去向",
            "(?:还|也|都|仍|至今|还是|一直)(?:未|没)(?:有)?找到(?!接替|原因|工作|地方|合适|买家|对象|房子|故障)",
            f"找{_C}{{0,6}}(?:未|没)(?:有)?找到",
            "找不到(?:妈妈|爸爸|大人)|(?:孩子|老人|人)(?:一直|还是)?找不到(?!工作|活)",
        )
    ),
    _Cue(
        "missing",
        "不见了|找不到了|找不着了",
        unless_before=_ANIMALS_AND_THINGS,
        lasts=True,
        after=f"(?:{_PEOPLE}){_C}{{0,6}}",
    ),
    *(_Cue("missing", p, unless_before=_BUSINESS, lasts=True) for p in ("失联", "联系不上")),
    # Looking for someone for hours, everywhere; a child's phone watch that does not answer.
    *(
        _Cue("missing", p, unless_before=_ANIMALS_AND_THINGS, lasts=True)
        for p in (
            f"找遍|都找过了|到处(?:在)?找|四处(?:寻)?找|分头找|找了{_C}{{0,5}}(?:小时|钟头|分钟)",
            f"电话手表{_C}{{0,4}}(?:关机|不在线|没信号|无信号|打不通)",
        )
    ),
    # --- flood: water entering homes, rising, a dyke breaking.
    *(
        _Cue("flood", p)
        for p in (
            "水漫进|漫进屋|屋里进水|水灌进",
            f"(?:水|洪){_C}{{0,6}}(?:漫进|漫入|涌进|涌入|灌进|灌入|冲进|进入|进(?:了)?(?:屋|家|房|门|院))",
            "(?:比|过|漫过|没过|高过)门槛",
            f"(?:堤|坝|圩){_C}{{0,4}}(?:漏了|冒水|决口|垮了|溃|开了口子|开口)",
            f"(?:屋|家|房|室|楼|户|店|铺|院|车库|车里|车内){_C}{{0,3}}进水(?!口|管|阀|民房|房屋|的)",
            f"水{_C}{{0,4}}(?:漫|淹|灌|流|进|涌)(?:到|进|入)(?:了)?{_C}{{0,4}}"
            "(?:卧室|客厅|堂屋|屋里|家里|家中|室内|屋内|床|厨房|房间|店里|屋)",
            f"水{_C}{{0,6}}(?:到|没过|漫过|齐|淹到|过了|快到){_C}{{0,3}}"
            "(?:腰|膝|胸|(?<!脚)脖|门槛|床|窗|车门|车窗|灶台|小腿|大腿|桌)",
            "漫过门槛|漫堤|决口|溃堤|溃坝|管涌|山洪",
            "淹到",
        )
    ),
    _Cue("flood", "倒灌", unless_before="烟|气|风|灰"),
    _Cue("flood", f"往{_C}{{0,4}}(?:里|内)(?:灌|冲|涌)", unless_before="烟|气|风|灰"),
    _Cue("flood", "进水了", unless_before="手机|电脑|相机|手表|耳朵|鞋|灯"),
    _Cue("flood", "淹了", unless_before="田|地|庄稼|菜|苗|麦|稻|秧|路|桥"),
    # --- health: someone collapsed, unconscious, poisoned, not breathing.
    *(
        _Cue("health", p)
        for p in (
            "晕倒|昏倒|晕厥|昏迷|晕过去|昏过去|晕在",
            "不省人事|失去意识|意识不清|意识模糊|神志不清|没有意识|无意识",
            f"(?:叫|喊){_C}{{0,4}}不醒|呼之不应|没(?:了)?声音了|没动静了",
            f"(?:敲门|拍门|喊|(?<!呼)叫){_C}{{0,6}}(?:没人应|没人开|无人应|没反应|不应|没回应|无回应|无应答|没声音|不答应)",
            "没(?:有)?呼吸|没气了|心跳(?:停|没)",
            "(?:脸|嘴唇|嘴)(?:色)?(?:都)?(?:发紫|发青|青紫)|口吐白沫|抽搐",
            # A stroke: the face droops, an arm falls, speech slurs.
            "嘴歪|口眼歪斜|说不出话|话(?:也)?说不清|半边身子",
            "喘不上气|喘不过气|呼吸困难|呼吸急促|喘得厉害|喘不匀|上不来气",
            "(?:心口|胸口)(?:疼|痛)|胸痛",
            f"摔(?:倒|了)?{_C}{{0,4}}起不来|(?:趴|躺|倒|坐)在地上{_C}{{0,4}}(?:起不来|不动|不能动)|躺{_C}{{0,6}}不动",
            f"(?:头上|头部|满脸|身上|嘴里){_C}{{0,2}}(?:出血|流血|全是血)",
            "倒地|人已经不动",
            "中毒|误食|误服|吐血|大出血",
            "心肺复苏|胸外按压",
            "说胡话|认不(?:得|出)人|羊水破",
            # Life support without power.
            f"(?:呼吸机|制氧机|吸痰器|透析|腹透){_C}{{0,8}}(?:停|没电|电池|不工作)",
        )
    ),
    *(
        _Cue("health", p, after=f"(?:{_PEOPLE}|他|她|男子|女子|大爷|阿姨|工人|师傅|司机|伤者){_C}{{0,4}}")
        for p in ("倒在(?:地上|地下|门口|路边)", f"从{_C}{{0,6}}(?:坠落|摔下来|跌落|掉下来)")
    ),
    # Many people sick at once (food or gas poisoning).
    _Cue(
        "health",
        "呕吐|在吐|吐了|吐|腹泻|拉肚子|头晕|头痛|恶心|胸闷|流泪",
        after=(
            f"(?:(?:[一二三四五六七八九十两几多]+|[0-9]+)(?:个|名|位|桌|家)?{_C}{{0,4}}"
            f"(?:人|名|个|学生|幼儿|孩子|工人|客人|员工|村民){_C}{{0,8}}"
            f"|(?:村民|居民|邻居|工人|学生|员工){_C}{{0,8}}|(?:多人|好几个|好多人|几个人|都在){_C}{{0,6}})"
        ),
    ),
    # --- trapped: in a lift, a car, a machine, under something.
    *(
        _Cue("trapped", p)
        for p in (
            "被困|困在|(?<![特贫])困人|关在电梯",
            "被(?:反)?锁在|被关在",
            f"卡在{_C}{{0,8}}(?:中间|里面|里|下面)",
            f"(?:电梯|车|屋|房间|库)(?:里|内){_C}{{0,2}}(?:关着|困着|锁着)|人(?:还|仍)在(?:水|河|江|塘|湖|车里|车内|里面|屋里)",
            "无法脱身",
            f"(?:头|手|脚|腿|身子|脖子){_C}{{0,8}}卡住",
            f"(?:下面|底下|里面|里头|车里|屋里)(?:还)?有人(?:在)?(?:喊|叫|哭|拍|敲|呻吟|哼|{_END})",
            f"门{_C}{{0,3}}(?:推|扒|撬|拉)不开",
            "卷进|绞进|被卷入|被夹|夹住了",
        )
    ),
    _Cue("trapped", "(?:反)?锁在", after=f"(?:{_PEOPLE}){_C}{{0,4}}"),
    _Cue("trapped", "出不(?:来|去)", after=f"(?:{_PEOPLE}|我们|我|他|她){_C}{{0,6}}"),
    # --- someone hit by a vehicle; a danger still growing.
    _Cue(
        "",
        f"撞(?:倒|伤|飞)(?:了)?{_C}{{0,3}}(?:人|学生|孩子|老人|行人|路人)|(?:撞了|撞到){_C}{{0,4}}(?:人|学生|孩子|老人|行人)"
        f"|侧翻|翻车|(?:车祸|相撞){_C}{{0,6}}(?:受伤|有人|卡|压)",
    ),
    _Cue(
        "",
        "(?:还在|仍在|正在|持续|不断|越来越|逐步)(?:扩大|加大|增大|上涨|涨|变大|下沉)",
        unless_before="价|费|钱|工资|租|利息|成本",
    ),
    # --- a call for help, for someone to come at once or for the emergency services names no kind, but says
    # that something is happening now ("是先打119还是先跑" asks: see ``_sentence_feared``).
    *(
        _Cue("", p)
        for p in (
            "救命(?!钱|药|稻草|恩|之恩)|呼救|救救|快救人|快报警|快叫(?:人|救护车|警察)|快打1[12]0",
            "(?<![尽赶])快来(?!处理|查|管|解决)|(?<![尽赶])快派人|速来",
            "(?:报|打|拨打|拨|呼叫|叫了)(?:了)?(?:119|120|110)|(?:119|120)(?:还)?(?:没到|在路上|未到)",
            "立即救援|紧急救援|立即施救|立即出警|马上出警|尽快出警",
        )
    ),
)

#: Phrases of immediate danger (regular expressions), by kind (the kind is shown to the dispatcher).
DANGER: dict[str, tuple[str, ...]] = {}
for _cue in _CUES:
    if _cue.kind:
        DANGER[_cue.kind] = (*DANGER.get(_cue.kind, ()), _cue.pattern)

#: Phrases (regular expressions) that say the danger is over: put out, rescued, found, unhurt, a false alarm,
#: cleared. Worry, hazard, habit, past and question words (``_NOT_NOW_WORDS``) also say "not now", more weakly.
NOT_NOW = (
    "(?:扑|浇|熄|弄|打)灭(?!器)",
    "灭掉",
    f"火(?:(?![不没未]){_C}){{0,4}}(?:灭|熄)(?:了|掉)",
    "火(?:已|已经)(?:被)?(?:扑)?(?:灭|熄)",
    "控制住|(?:已|已经|已被|得到)控制",
    "救(?:上来|上岸|起|下来|出|了回来|回来)|拉(?:上来|上岸|了回来|回来)|劝(?:下来|了下来|回来|开)|拉开",
    "获救|(?:已|被)解救|脱困|脱险|脱离危险",
    f"找到了|找回(?:来)?了|(?:已|已经){_C}{{0,10}}找到(?:(?=了)|{_END})",
    "(?:已|已经)(?:回家|回来)|(?:回家|回来)了|送回(?:家)?",
    "没事了|没事的|人没事|人还好|都没事|没什么事|(?:无|没)(?:大)?碍|平安无事|安然无恙",
    "(?:无|没有|没)(?:人员)?(?:受伤|伤亡)|没人受伤|无伤亡|未造成(?:人员)?伤亡|生命体征平稳",
    "(?:已|已经)出院|出院了|醒(?:过来)?了|缓过来|好多了|已好转|均已好转",
    "没(?:有)?(?:火|烟|明火)了|火(?:已经)?没了",
    "虚惊|误报|谎报|搞错了|看错了|不用转发|(?:大家)?(?:放心|别着急|别担心|别慌)|不用(?:担心|着急|来了)",
    "(?:已|已经)(?:基本|全部|均)?(?:处理|处置|解决|平息|恢复|撤销|撤除|修复|修好|排除|打捞|结束|散|封堵)",
    "处理(?:好|完)|处置完毕|解决了|平息了|撤除|撤销搜寻|修好了|修复了|打捞(?:上来|上岸)|封堵完毕|抢修完毕",
    "恢复(?:正常|通行|供电|供水)|(?:复测|检测)正常|结束了|散了|不打了|打完了|停手了",
    "全部转移|转移完毕|全部撤离|安全撤离|(?:已|已经)安全|安全了|(?:已|现已)(?:平稳|稳定)",
    f"(?:已|均已){_C}{{0,6}}(?:注射|接种|就医|包扎|处理伤口|打(?:了)?(?:针|疫苗)|打首针)|(?:接种|打)(?:了)?狂犬疫苗",
    f"(?:已|已经){_C}{{0,4}}(?:调解|协商一致)|(?:已|已经)(?:被)?(?:制止|劝阻|叫停)",
    "(?:水|积水|洪水)(?:已|已经)?退(?:了|去)|领回|接回|(?:已|已经)(?:销警|撤警)",
    "(?:已|已经)(?:回填|修补|加固|清理|清运|清除|拉走|推走|移走|挪走|扶正|接好)|(?:已经|都|已)(?:走了|离开)|离开了",
    f"(?:派出所|警察|民警|公安|110|救护车|120|消防){_C}{{0,6}}(?:带走|拉走|接走|送走)",
)

#: Said just before a danger in its clause: it did not happen. 是不是、会不会、有没有 ask; they do not deny.
_NEGATION_BEFORE = re.compile(
    f"(?:(?:(?<!是)不是|并非|并不是){_C}{{0,4}}|(?<!有)没有|(?<!有)没|无|未|并未|非|(?<![是会能要])不|别|禁止|严禁|"
    "杜绝|谨防|预防|防止|防|避免|以防|(?<!会)不会|(?<!能)不能|(?<!要)不要|不让|不准|不得)"
    "(?:发现|看到|见到|见|闻到|听到|再|有|出现|存在|任何|发生|造成|什么)?(?:哪里|哪儿)?(?:人员|人)?$"
)
#: Said just after a danger: it is a topic, not an event ("火灾隐患", "防溺水宣传", "走失事件", "锁在车里的新闻").
_TOPICS = (
    "隐患|风险|危险|可能|安全(?!网|帽|带|绳)|知识|宣传|演练|预案|教育|警示|标志|标识|预警|报警|检测|检查|排查|防范|"
    "新闻|事件|案件|案子|保险|赔偿|责任|通道|设施|器材|常识|培训|科普|问题|现象|事情|事|时候|急救|讲座|专题|未遂|史|处"
)
_TOPIC_AFTER = re.compile(f"(?:{_TOPICS})|{_C}{{0,4}}的(?:{_TOPICS})")
#: Earlier in a danger's clause: it is only feared, almost happened, was mistaken, is hearsay or a habit.
_FEARED_BEFORE = re.compile(
    "担心|担忧|害怕|怕|生怕|恐怕|万一|如果|要是|假如|假设|一旦|容易|可能会|会不会|迟早|早晚|哪天|以免|以防|防止|"
    "避免|预防|小心|差点|差一点|险些|幸亏|幸好|好在|以为|是否|有没有|如何|怎么|怎样|听说|据说|就能|就会|也许|或许|"
    "再不|再这样|否则|不然|"
    f"再{_C}{{0,4}}下去|"  # if it goes on
    # A habit is not an event happening now.
    "经常|常常|老是|总是|天天|每天|每次|每年|每逢|每到|每回|年年|时常|时有|动不动|时不时|隔三差五|有时|偶尔|长期|多次|"
    "一到|一下雨|一下大雨"
)
_FEARED_AFTER = re.compile("怎么办|咋办|的话|的风险|的可能|怎么处理|吗")
#: Just after a danger: it happened once, some time ("晕倒过一次"), or something followed it ("倒塌后重砌").
_ONCE_AFTER = re.compile("过(?:[一两几三]次|好几次|一回|的)?$|后|以后|之后")
#: An earlier time.
_PAST = re.compile(
    "昨天|昨晚|昨日|昨夜|前天|前晚|前日|上周|上礼拜|上个礼拜|上星期|上个星期|上个月|上月|去年|前年|前几天|前几日|"
    "前些天|前些日子|前阵子|前期|日前|事发|以前|之前|上次|上回|那次|那天|当时|曾|有次|有一次|近年|近几年|往年|历年|多年|"
    "前[一两二三四五六七八九十几]+(?:天|日|周|个月|年)|天前|日前|周前|星期前|礼拜前|个月前"
)
#: Words of now: a text that has one is not only about the past.
_PRESENT = re.compile(
    "现在|正在|还在|仍在|此刻|目前|刚才|刚刚|眼下|这会|越来越|快来人|救命|赶紧|马上|立刻|紧急"
)
#: A question, a consultation or a claim: without a word of now, the danger it names is asked about.
_ASKING = re.compile(
    "咨询|询问|请问|想问|想了解|想知道|问一下|问问|起诉|索赔|赔偿|赔钱|法律|律师|打官司|维权|工伤"
)
#: Worry, hazard, habit, past and question words: "not now" when no present danger is told.
_NOT_NOW_WORDS = re.compile(f"{_FEARED_BEFORE.pattern}|{_PAST.pattern}|{_ASKING.pattern}|隐患|风险|能否|可否")
#: Before an "over" phrase in its clause: it is asked for or under way, not done ("要求立即派人扑灭").
_WANTED_BEFORE = re.compile(
    "要求|请求|请|需要|急需|希望|尽快|立即|马上|赶紧|派人|等待|等着|正在|准备|想|能不能|怎么|如何"
)
#: Before a denial: only so far ("暂未发现人员被压" denies nothing said before it).
_SO_FAR = re.compile("暂|尚|目前")


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can begin with; None when any could, or the pattern is beyond the
    small part of the syntax this module uses (literals, groups, alternatives, classes, quantifiers,
    lookarounds)."""
    pos = 0

    def alternatives() -> tuple[set[str] | None, bool]:
        nonlocal pos
        chars, nullable = sequence()
        while pos < len(pattern) and pattern[pos] == "|":
            pos += 1
            more, more_nullable = sequence()
            chars = None if chars is None or more is None else chars | more
            nullable = nullable or more_nullable
        return chars, nullable

    def sequence() -> tuple[set[str] | None, bool]:
        nonlocal pos
        chars: set[str] | None = set()
        nullable = True  # everything so far can match nothing
        while pos < len(pattern) and pattern[pos] not in "|)":
            atom, atom_nullable = item()
            optional = quantifier() or atom_nullable
            if nullable and chars is not None:
                chars = None if atom is None else chars | atom
            nullable = nullable and optional
        return chars, nullable

    def quantifier() -> bool:
        """Skip a quantifier; True if it allows zero repeats."""
        nonlocal pos
        if pos >= len(pattern) or pattern[pos] not in "?*+{":
            return False
        if pattern[pos] == "{":
            close = pattern.index("}", pos)
            zero = pattern[pos + 1 : close].split(",")[0] in ("", "0")
            pos = close + 1
        else:
            zero = pattern[pos] != "+"
            pos += 1
        if pos < len(pattern) and pattern[pos] in "?+":
            pos += 1
        return zero

    def item() -> tuple[set[str] | None, bool]:
        nonlocal pos
        char = pattern[pos]
        if char == "(":
            lookaround = pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), pos)
            if pattern.startswith(("(?:", "(?=", "(?!"), pos):
                pos += 3
            elif pattern.startswith(("(?<=", "(?<!"), pos):
                pos += 4
            elif pattern.startswith("(?P<", pos):
                pos = pattern.index(">", pos) + 1
            elif pattern.startswith("(?", pos):
                raise ValueError(pattern)
            else:
                pos += 1
            chars, nullable = alternatives()
            if pos >= len(pattern) or pattern[pos] != ")":
                raise ValueError(pattern)
            pos += 1
            return (set(), True) if lookaround else (chars, nullable)
        if char == "[":
            return character_class(), False
        if char == "\\":
            escaped = pattern[pos + 1]
            pos += 2
            return (None if escaped in "dDsSwWbBAZ" else {escaped}), False
        pos += 1
        if char == ".":
            return None, False
        if char in "^$":
            return set(), True
        return {char}, False

    def character_class() -> set[str] | None:
        nonlocal pos
        pos += 1
        negated = pattern[pos] == "^"
        pos += negated
        chars: set[str] = set()
        first = True
        while first or pattern[pos] != "]":
            first = False
            char = pattern[pos]
            pos += 1
            if char == "\\":
                char = pattern[pos]
                pos += 1
                if char in "dDsSwW":
                    negated = True
                    continue
            if pattern[pos] == "-" and pattern[pos + 1] != "]":
                high = pattern[pos + 1]
                pos += 2
                chars.update(chr(code) for code in range(ord(char), ord(high) + 1))
            else:
                chars.add(char)
        pos += 1
        return None if negated else chars

    chars, nullable = alternatives()
    if pos != len(pattern) or nullable or chars is None:
        return None
    return frozenset(chars)


class _Scanner:
    """Finds what ``re.finditer`` of the alternation of ``patterns`` finds (left to right, without overlaps, the
    first pattern that matches at a position) and which pattern it was. Tried whole at every position, an
    alternation of hundreds of patterns is slow; here a position is tried only if some pattern can begin with
    its character, and only with those patterns."""

    def __init__(self, patterns: Sequence[str]) -> None:
        by_char: dict[str, list[int]] = {}
        for index, pattern in enumerate(patterns):
            if re.compile(pattern).groups:
                raise ValueError(f"{pattern!r} has a capturing group")
            chars = _first_chars(pattern)
            if chars is None:
                raise ValueError(f"cannot tell how {pattern!r} begins")
            for char in chars:
                by_char.setdefault(char, []).append(index)
        self._start = re.compile("[" + "".join(re.escape(c) for c in sorted(by_char)) + "]")
        #: For each first character: the alternation of its patterns (each a group) and their indexes.
        self._by_char = {
            char: (re.compile("|".join(f"({patterns[i]})" for i in indexes)), indexes)
            for char, indexes in by_char.items()
        }

    def finditer(self, text: str) -> Iterator[tuple[int, re.Match[str]]]:
        pos = 0
        while (start := self._start.search(text, pos)) is not None:
            pos = start.start()
            alternation, indexes = self._by_char[text[pos]]
            match = alternation.match(text, pos)
            if match is not None and match.end() > pos and match.lastindex is not None:
                yield indexes[match.lastindex - 1], match
                pos = match.end()
            else:
                pos += 1


_DANGER = _Scanner([cue.pattern for cue in _CUES])
_OVER = _Scanner(NOT_NOW)
_UNLESS = {i: re.compile(cue.unless_before) for i, cue in enumerate(_CUES) if cue.unless_before}
_AFTER = {i: re.compile(f"(?:{cue.after})$") for i, cue in enumerate(_CUES) if cue.after}


@dataclass(frozen=True)
class UrgencyCues:
    """What a text says about danger: the kinds it describes as present now (in order of appearance), whether a
    danger is present (a call for help counts without a kind), and whether it says the danger is over, past,
    feared or asked about (never both)."""

    kinds: tuple[str, ...]
    danger: bool
    not_now: bool


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    left = start
    while left > 0 and text[left - 1] not in _CLAUSE_END:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _CLAUSE_END:
        right += 1
    return left, right


def _sentence_feared(text: str, start: int) -> bool:
    """A worry, habit or question earlier in the sentence (a call for help is often a conditional question)."""
    left = start
    while left > 0 and text[left - 1] not in _SENTENCE_END:
        left -= 1
    return (
        _FEARED_BEFORE.search(text, left, start) is not None or _ASKING.search(text, left, start) is not None
    )


def _denied(before: str) -> bool:
    return _NEGATION_BEFORE.search(before[-16:]) is not None


_NOW, _DENIED, _OVER_NOW = 0, 1, 2


@dataclass(frozen=True)
class _Frame:
    """What the whole text says of time: nothing of now and an earlier time (past), or a question."""

    past: bool
    asking: bool

    @classmethod
    def of(cls, text: str) -> _Frame:
        if _PRESENT.search(text) is not None:
            return cls(False, False)
        asking = any(
            m.start() == 0 or text[m.start() - 1] != "已"  # "已询问亲友" is something done, not a question
            for m in _ASKING.finditer(text)
        )
        return cls(_PAST.search(text) is not None, asking)


@lru_cache(maxsize=4096)
def urgency_cues(text: str) -> UrgencyCues:
    """Read the normalised ``text`` (``text.normalize``) as the module's docstring says."""
    events: list[tuple[int, int, str]] = []  # (position, _NOW / _DENIED / _OVER_NOW, kind)
    weak = False
    frame: _Frame | None = None
    for index, match in _DANGER.finditer(text):
        cue = _CUES[index]
        left, right = _clause(text, match.start(), match.end())
        before, after = text[left : match.start()], text[match.end() : right]
        unless, after_what = _UNLESS.get(index), _AFTER.get(index)
        if (unless is not None and unless.search(before)) or (
            after_what is not None and not after_what.search(before[-24:])
        ):
            continue
        frame = frame or _Frame.of(text)
        if _denied(before) or _TOPIC_AFTER.match(after):
            events.append((match.start(), _DENIED, "" if _SO_FAR.search(before) else cue.kind))
            weak = True
        elif (
            frame.asking
            or _FEARED_BEFORE.search(before)
            or _FEARED_AFTER.search(after)
            or _ONCE_AFTER.match(after)
            or (not cue.kind and _sentence_feared(text, match.start()))
            or (
                not cue.lasts
                and (frame.past or (_PAST.search(before) and not _PRESENT.search(text, left, right)))
            )
        ):
            weak = True
        else:
            events.append((match.start(), _NOW, cue.kind))
    if not any(what == _NOW for _, what, _ in events):
        # No danger told as present: "not now" if anything says so (the cheap words first).
        not_now = weak or _NOT_NOW_WORDS.search(text) is not None or next(_over(text), None) is not None
        return UrgencyCues((), False, not_now)
    events.extend((position, _OVER_NOW, "") for position in _over(text))
    events.sort()
    present: list[str] = []
    over = False
    for _, what, kind in events:
        if what == _NOW:
            present.append(kind)
        elif what == _OVER_NOW:
            over = True
            present.clear()
        elif kind in present:  # "燃气味……不是漏气": the same danger denied
            present = [k for k in present if k != kind]
            over = True
    danger = bool(present)
    not_now = not danger and (over or weak or _NOT_NOW_WORDS.search(text) is not None)
    return UrgencyCues(tuple(dict.fromkeys(k for k in present if k)), danger, not_now)


def _over(text: str) -> Iterator[int]:
    """Where the text says a danger is over (not where it asks for that: "要求立即派人扑灭")."""
    for _, match in _OVER.finditer(text):
        left, _ = _clause(text, match.start(), match.end())
        before = text[left : match.start()]
        if not _denied(before) and not _WANTED_BEFORE.search(before):
            yield match.start()


def danger_cues(text: str) -> list[str]:
    """The kinds of danger the normalised text describes as present, in order of appearance, without repeats."""
    return list(urgency_cues(text).kinds)


def says_not_now(text: str) -> bool:
    """The normalised text says the danger is over, past, only feared or asked about, and tells of none present."""
    return urgency_cues(text).not_now
