"""Everything people write along a demo case's way (notes, comments, ratings), their names, and the three origin
stories."""

from __future__ import annotations

from gridgov.cases.choices import Satisfaction

# --- Everything people write along the way --------------------------------------------------------------------------

ACCEPT_NOTES = ["", "", "", "已核实，予以立案。", "信息完整，立案。"]
ACCEPT_CALLBACK_NOTE = "已电话联系反映人核实情况。"
DISPATCH_NOTES = ["", "请尽快现场核实处置。", "请按时限办结并上传处置照片。", "群众反映较急，请优先处理。"]
RETURN_NOTES = [
    "经核实，该事项应由{lead}负责，不属于本单位职责，请中心改派。",
    "现场查看后确认属{lead}职责范围，退回请改派。",
]
ESCALATE_FROM_GRID = [
    "网格内无法解决，需职能部门处置。",
    "需专业队伍和设备处置，网格力量不足。",
    "涉及多户，网格调解未果，请镇里协调。",
]
ESCALATE_TO_DISTRICT: dict[str, str] = {
    "water": "涉及跨镇河道，需区水利局统筹处理。",
    "environment": "涉事企业属区级监管，请区指挥中心协调生态环境局。",
    "road": "该路段为区管道路，镇里无养护权限，提请区指挥中心协调。",
}
ESCALATE_TO_DISTRICT_DEFAULT = "超出镇级处置能力，提请区指挥中心协调。"
HANDLER_COMMENTS = [
    "已到现场查看，正在制定处置方案。",
    "已安排人员处理，近日完成。",
    "正在协调相关单位，进展将及时反馈。",
]
CENTER_COMMENTS = ["已电话联系反映人，了解详细情况。", "已将处理进展告知反映人。"]
GRID_COMMENTS = ["已联系当事双方，正在协调。", "已现场查看，正在做双方工作。", "已上门了解情况，拍照留存。"]
EXTENSION_REASONS = [
    "需采购材料，预计下周到货，申请延期。",
    "近期连续降雨，无法施工，申请延期。",
    "当事人在外地，需等其返乡后再组织调解。",
    "涉及多个部门会商，需要更多时间。",
]
SUSPENSION_REASONS = [
    "需列入明年道路改造计划，资金待批复，申请挂账。",
    "汛期河道水位高，暂无法施工，待水位下降后处置。",
    "当事人已向法院起诉，待判决后再处理，申请挂账。",
]
DECISION_NOTES = ["", "同意。", "同意，请抓紧办理。"]
RESUME_NOTES = ["条件已具备，恢复办理。", "资金已落实，恢复计时。"]
SUPERVISE_NOTES = [
    "群众反映强烈，请主要负责同志亲自过问，限期办结。",
    "该件已超期，请说明原因并加快办理，务必在期限前办结。",
    "请三日内拿出处置方案，按期办结并反馈。",
]
URGE_NOTES = ["该件即将超期，请抓紧办理。", "群众再次来电催问，请加快进度。", "请尽快签收办理。"]
VERIFY_OK_NOTES = ["", "现场核实已整改到位。", "复核无误。"]
VERIFY_CALLBACK_NOTE = "已电话联系反映人确认问题解决。"
VERIFY_REDO_NOTES = [
    "现场复核问题仍未彻底解决，请返工。",
    "整改不到位，请再次处置。",
    "处置照片与现场不符，请重新处理。",
]
REDO_IN_GRID_NOTES = ["复查发现问题反弹，请网格继续跟进。", "双方协议未履行，需继续调解。"]
SATISFIED_COMMENTS = ["处理得很及时，谢谢！", "满意，辛苦了。", "问题解决了，挺好。", "", ""]
BASICALLY_COMMENTS = ["解决了，就是时间拖得有点长。", "基本满意，希望以后多来看看。"]
DISSATISFIED_COMMENTS = [
    "问题根本没解决，跟原来一样。",
    "只是表面处理了一下，问题还在。",
    "说是办好了，其实没人来找过我。",
]
_RATING_COMMENTS: dict[str, list[str]] = {
    Satisfaction.SATISFIED: SATISFIED_COMMENTS,
    Satisfaction.BASICALLY: BASICALLY_COMMENTS,
    Satisfaction.DISSATISFIED: DISSATISFIED_COMMENTS,
}
CLOSE_NOTES = ["回访电话无人接听，经核实已办结，予以结案。", "网格员现场回访，群众无异议，结案。"]
CLOSE_PATROL_NOTES = ["巡查发现问题已处置完毕，结案。", "网格上报事项已办结，结案。"]
REJECT_NOTES = [
    "经现场核实，反映的问题不存在。",
    "多次回拨无法联系反映人，地址信息不全，无法核实。",
    "经核实该地点不属于本辖区，已告知向属地反映。",
]
REJECT_CONSULT_NOTE = "属政策咨询，已电话当场答复，不再立案。"
MERGE_NOTE = "与{number}反映的是同一问题，合并办理。"

SURNAMES = "陈王张顾陆施季朱徐钱沈黄曹姜缪葛周吴刘李杨袁丁范邵倪冯蔡"
GIVEN_NAMES = [
    "建华", "桂英", "秀兰", "志强", "海燕", "国平", "红梅", "卫东", "美华", "建军", "春花", "永林", "玉芳",
    "德明", "金山", "晓东", "丽娟", "文斌", "宏伟", "素琴", "小燕", "海军", "爱华", "正兵", "菊芳", "新民",
]  # fmt: skip
PHONE_PREFIXES = [
    "138", "139", "137", "136", "135", "150", "151", "152", "157", "158", "159", "182", "183", "187",
    "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177",
]  # fmt: skip

#: The demo resident (account ``resident``) lives in 石西社区 and reports on the web page under this name.
RESIDENT_NAME, RESIDENT_PHONE = "周红梅", "13962871536"
RESIDENT_CASES = 7

# --- The origin stories -----------------------------------------------------------------------------------------------

STORY_MIRROR = (
    "来电人反映：北渡村22组村道拐角处两边种满了树，是个视线盲区，骑电动车的和开汽车的经常差点撞上，"
    "上个月还有人摔伤，希望在拐角装一面凸面镜。"
)
STORY_BOUNDARY = (
    "花市街村4组陈、周两户因承包地边界发生争执：周家开春翻地时把田埂往陈家那边挪了半米，"
    "两家在田头吵了好几回，网格员多次劝解未果。"
)
STORY_ROAD = (
    "石西社区建设路北段靠近翠竹新村门口的路面塌了一个大坑，一米多宽，晚上路灯暗根本看不见，"
    "刚才有个骑电动车的差点栽进去，麻烦赶紧派人来处理！"
)
#: The texts of the three origin stories (also part of the idempotency marker: see the module docstring).
STORY_TEXTS = (STORY_MIRROR, STORY_BOUNDARY, STORY_ROAD)
