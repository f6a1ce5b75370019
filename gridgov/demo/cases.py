"""Demo cases: a few hundred cases in every status across the demo region, and the three origin stories.

What it makes
    About 300 cases reported in the ~90 days before a reference moment (the time of loading, rounded down to the
    hour), spread over the grids of every town with realistic category weights (sanitation, roads, water,
    disputes and welfare common; labour and education rare), in the voices of residents (web page), grid workers
    (patrol notes) and hotline operators (来电人反映…). Every status of the workflow is present; some cases are
    overdue (red) or due soon (yellow), some urgent, some extended, returned, suspended, supervised (督办),
    urged or escalated to the district. Plus the three origin stories (``STORY_TEXTS``), which walk the whole
    loop: the convex mirror at 北渡村22组, the boundary quarrel at 花市街村4组 settled in the grid (带案入格),
    and the road in 石西社区 repaired overnight.

How
    Every case is written by the real actions (``cases.actions``, ``dispatch.actions``) acting as the demo
    accounts, so timelines, assignments, notifications and deadlines are what the platform itself produces.
    Towns, grids and departments without a demo account get one (``dispatcher-<area code>``,
    ``gridworker-<grid code>``, ``handler-<department code>``), created through ``accounts.actions`` with an
    unusable password, before any case is written, so the audit trail records them at their real time.

Backdating (demo only)
    The actions read the time from ``django.utils.timezone.now()``. To give each case a believable history, the
    steps of one case run inside ``mock.patch("django.utils.timezone.now")`` returning a simulated clock that
    advances from the report to the last step, never past the reference moment. The patch is a context manager
    around one case: it is never active after this module returns. Nothing but demo data may do this.

Deterministic
    A fixed seed drives every choice (places, problems, people, phones, steps and the gaps between them); only
    the absolute times follow the reference moment. The deadline sweep then colours the open cases for the real
    "now", as the scheduled sweep would.

Idempotent
    A demo case is identified by its text: the generator makes every text distinct (a problem, phrased in one
    voice, at one place), and a planned case whose text already exists is skipped, together with the duplicate
    that is merged into it. A second run therefore creates no case and no event (and skips the sweep), and a run
    interrupted part-way (each case is written in its own transaction) is completed by the next one instead of
    being duplicated. Editing the texts below makes the next run add the edited cases as new ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from unittest import mock

from django.db import transaction
from django.utils import timezone

from gridgov.accounts import actions as account_actions
from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Channel, OwnerLevel, Priority, RequestType, Satisfaction
from gridgov.cases.models import Case, Category, TimeRequest
from gridgov.cases.sweep import sweep_deadlines
from gridgov.core.calendar import add_working_days, is_workday, pinned_calendar, working_time_between
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import DepartmentKind as K
from gridgov.dispatch.models import Department
from gridgov.dispatch.selectors import RouteSuggestion, suggest_route
from gridgov.geo.choices import AreaLevel
from gridgov.geo.index import get_grid_index
from gridgov.geo.models import Area
from gridgov.triage.actions import record_suggestion
from gridgov.triage.engine import triage_report

#: The seed of every random choice: the same seed and region give the same cases.
SEED = 20140514

#: How far back the generated history reaches, in days before the reference moment.
HISTORY_DAYS = 90

WEB, PATROL, HOTLINE = Channel.WEB, Channel.GRID_WORKER, Channel.HOTLINE
RURAL, URBAN, ANY = "rural", "urban", "any"
CONSULT, HELP, COMPLAINT, TIP_OFF, SUGGEST = (
    RequestType.CONSULTATION,
    RequestType.HELP,
    RequestType.COMPLAINT,
    RequestType.TIP_OFF,
    RequestType.SUGGESTION,
)


@dataclass(frozen=True)
class Problem:
    """One kind of problem, phrased in the voices that report it; ``{p}`` is the place (北渡村22组, 春晖华府…)."""

    category: str
    title: str
    texts: dict[str, str]
    results: tuple[str, ...]
    grid_result: str = (
        ""  # what the grid worker writes when it is solved in the grid ("" = needs a department)
    )
    request_type: str = COMPLAINT
    setting: str = ANY  # rural: villages (…村N组); urban: compounds; any: also road sections
    urgent: bool = False


def _p(
    category: str,
    title: str,
    *,
    web: str = "",
    patrol: str = "",
    hotline: str = "",
    results: tuple[str, ...],
    grid_result: str = "",
    request_type: str = COMPLAINT,
    setting: str = ANY,
    urgent: bool = False,
) -> Problem:
    texts = {
        str(channel): text for channel, text in ((WEB, web), (PATROL, patrol), (HOTLINE, hotline)) if text
    }
    return Problem(category, title, texts, results, grid_result, request_type, setting, urgent)


# fmt: off
PROBLEMS: list[Problem] = [
    # --- 环境卫生 -------------------------------------------------------------------------------------------------
    _p("sanitation", "生活垃圾堆积",
       web="{p}路边的垃圾堆了好几天没人来收，天一热味道冲得很，苍蝇到处飞，麻烦派人来清一下。",
       patrol="巡查发现{p}路边生活垃圾堆积约2立方米，未及时清运。",
       hotline="来电人反映：{p}路边有一堆生活垃圾放了四五天没人清运，气味很大，希望尽快处理。",
       results=("已安排环卫车辆清运垃圾，并对周边进行了消杀。", "垃圾已全部清运，已将该点位纳入每日巡回清运路线。"),
       grid_result="已联系村保洁员当天清运完毕，并提醒周边住户定点投放。"),
    _p("sanitation", "垃圾桶满溢", setting=URBAN,
       web="{p}门口那几个垃圾桶天天都是满的，垃圾掉得一地，野猫一扒更乱了，能不能多收一趟？",
       patrol="{p}分类投放点垃圾桶满溢，周边散落垃圾，需增加清运频次。",
       hotline="来电人反映：{p}门口垃圾桶每天都满出来，清运不及时，要求增加清运次数。",
       results=("已将该点位清运由每日一次调整为早晚各一次，并增设垃圾桶两只。",),
       grid_result="已协调物业保洁增加一次清运，现场已清理干净。"),
    _p("sanitation", "偷倒建筑垃圾",
       web="不知道谁半夜在{p}路边倒了一大堆建筑垃圾，碎砖头水泥块都有，占了半条路，晚上骑车很危险。",
       patrol="{p}路边发现偷倒建筑垃圾一处，约5立方米，占用部分路面。",
       hotline="来电人反映：{p}附近有人偷倒装修垃圾，堆在路边好几天了，要求清运并查处倒垃圾的人。",
       results=("已清运建筑垃圾约5立方米，并在该处设置禁倒警示牌，城管中队将加强夜间巡查。",)),
    _p("sanitation", "公厕脏乱", setting=RURAL,
       web="{p}那个公共厕所脏得没法进，水龙头也坏了，好几天没人打扫了。",
       patrol="{p}公厕保洁不到位，冲水设施损坏。",
       results=("已对公厕进行全面保洁，更换了冲水阀和水龙头，明确专人每日保洁两次。",),
       grid_result="已联系村保洁员打扫，冲水阀由村电工当场换好。"),
    _p("sanitation", "死禽未处理", setting=RURAL,
       patrol="{p}河边路旁发现死鸡数只，已散发异味，需无害化处理。",
       hotline="来电人反映：{p}路边有人扔了几只死鸡，臭得不行，怕传病，希望赶紧处理。",
       results=("已对死禽进行无害化处理并消毒，兽医站已走访周边养殖户排查疫情。",),
       grid_result="已会同村防疫员将死禽深埋并撒石灰消毒。"),
    # --- 道路交通 -------------------------------------------------------------------------------------------------
    _p("road", "路面坑洼破损",
       web="{p}那段路坑坑洼洼的，一下雨全是积水，电动车骑过去差点翻了，好几年都没修过。",
       patrol="{p}道路路面破损，有坑洞3处，最大约1米见方。",
       hotline="来电人反映：{p}道路破损严重，坑洼不平，雨天积水，影响出行，希望尽快修复。",
       results=("已安排施工队对破损路面进行沥青修补，现已恢复平整通行。", "已对坑洞进行冷补料应急修补，整段路面已列入年度养护计划。")),
    _p("road", "路灯不亮",
       web="{p}这边的路灯坏了快一个月了，晚上黑漆漆的，老人小孩都不敢出门。",
       patrol="{p}路灯不亮5盏，夜间照明不足。",
       hotline="来电人反映：{p}有好几盏路灯不亮，晚上出行不安全，要求尽快维修。",
       results=("已更换损坏的灯头和线路，5盏路灯全部恢复照明。",)),
    _p("road", "小桥护栏损坏", setting=RURAL, request_type=HELP,
       web="{p}那座小桥的栏杆断了一截，小孩放学天天从那走，太吓人了。",
       patrol="{p}村道小桥护栏缺失约3米，存在安全隐患。",
       hotline="来电人反映：{p}小桥桥头栏杆损坏，担心有人掉进河里，希望尽快修好。",
       results=("已补装钢制护栏3米，并在桥头设置警示标志。",)),
    _p("road", "路口缺少减速带", setting=RURAL, request_type=SUGGEST,
       web="{p}路口车开得飞快，又没有减速带，前两天刚有人被蹭了，能不能装个减速带？",
       patrol="{p}村道交叉口无减速带和警示标志，过往车辆车速快。",
       hotline="来电人反映：{p}路口没有任何警示标志，来往车辆车速很快，建议设置减速带。",
       results=("已在路口两侧各安装减速带一条，并设置“前方路口 减速慢行”警示牌。",)),
    _p("road", "公交站台损坏", setting=URBAN,
       web="{p}公交站的棚子被风刮坏了，铁皮挂在上面晃来晃去，等车的人心里发慌。",
       patrol="{p}公交候车亭顶棚破损，有坠落风险。",
       results=("已拆除松动的顶棚铁皮并重新安装，候车亭已恢复使用。",)),
    # --- 河道水务 -------------------------------------------------------------------------------------------------
    _p("water", "河道漂浮物", setting=RURAL,
       web="{p}旁边那条河上漂满了水花生和塑料瓶，河水都发黑了，夏天一股臭味。",
       patrol="巡河发现{p}河段水面漂浮水花生及生活垃圾，面积约200平方米。",
       hotline="来电人反映：{p}河道里漂浮物很多，一直没人打捞，要求清理。",
       results=("已组织保洁船打捞水花生及漂浮垃圾约3吨，河段已纳入常态化保洁。",),
       grid_result="已组织村河道保洁员打捞干净，并告知沿河住户不得向河内倒垃圾。"),
    _p("water", "下水道堵塞", setting=URBAN,
       web="{p}楼下的下水道又堵了，污水漫到路上，走路都要踮着脚。",
       patrol="{p}雨污水管道堵塞，污水外溢路面。",
       hotline="来电人反映：{p}下水道堵塞，污水往外冒，已经好几天了。",
       results=("已用疏通车对管道进行疏通清淤，污水外溢已消除。",)),
    _p("water", "雨后积水",
       web="昨晚下了一夜雨，{p}门口的积水到小腿肚了，车子都开不出去。",
       patrol="{p}降雨后路面积水约30厘米，排水不畅。",
       hotline="来电人反映：{p}每次下雨都积水，排水沟太小，希望彻底解决。",
       results=("已清理排水沟淤泥并新增雨水口两处，积水已排除。",)),
    _p("water", "疑似私设排污口", setting=RURAL, request_type=TIP_OFF,
       patrol="{p}河边发现一处疑似私设排污口，排出浑浊污水。",
       hotline="来电人反映：{p}有个小作坊把污水直接排进河里，河水颜色都变了。",
       results=("经查为一家豆制品作坊私设排污管，已责令封堵，污水改接入管网。",)),
    _p("water", "河坡坍塌", setting=RURAL, request_type=HELP,
       web="{p}河边的坡塌了一大块，离路就剩一米多了，拖拉机都不敢开。",
       patrol="{p}河坡坍塌约10米，危及岸边道路。",
       results=("已对坍塌河坡打桩护岸约12米，并回填夯实。",)),
    # --- 矛盾纠纷 -------------------------------------------------------------------------------------------------
    _p("dispute", "宅基地边界纠纷", setting=RURAL, request_type=HELP,
       web="隔壁家翻建房子，围墙往我家这边挪了一尺多，说了也不听，{p}的人都知道这事，请帮忙调解。",
       patrol="{p}两户村民因宅基地边界争执，一方砌墙占地，双方多次争吵。",
       hotline="来电人反映：邻居在{p}建房砌围墙占了他家的宅基地，协商不成，希望村里出面调解。",
       results=("综治中心会同司法所现场勘查，依据确权资料划定界线，双方签订调解协议。",),
       grid_result="网格员会同村调委会现场丈量，对照确权图明确了界线，双方当场认可。"),
    _p("dispute", "排水沟纠纷", setting=RURAL, request_type=HELP,
       web="邻居把我家门口的排水沟堵了，一下雨院子里全是水，我们{p}这块就我家地势最低，找他理论还骂人。",
       patrol="{p}两户因排水沟走向发生纠纷，一户堵沟致另一户院内积水。",
       results=("经调解，双方同意共同出资重新开挖排水沟，已签订协议。",),
       grid_result="网格员上门做工作，堵沟一方已自行疏通，双方握手言和。"),
    _p("dispute", "楼上漏水纠纷", setting=URBAN, request_type=HELP,
       web="楼上卫生间漏水渗到我家天花板，墙皮都掉了，{p}物业说管不了，楼上又不肯修，怎么办？",
       hotline="来电人反映：{p}楼上住户卫生间渗水到其家中，双方协商不成，要求调解。",
       results=("经调解，楼上住户同意重做防水，并赔偿楼下墙面修复费用1500元。",),
       grid_result="网格员约双方和物业当面协商，楼上已请人重做防水，楼下无异议。"),
    _p("dispute", "养犬扰民纠纷", setting=URBAN,
       web="{p}隔壁家养了两条大狗，一天到晚叫，晚上也叫，老人根本睡不着，说了好几次也不管。",
       patrol="{p}居民反映邻居养犬扰民，双方已发生口角。",
       results=("已上门宣传养犬管理规定，犬主承诺夜间将狗关入室内，双方和解。",),
       grid_result="网格员上门协调，犬主同意给狗戴止吠器并夜间关在屋内。"),
    _p("dispute", "赡养纠纷", request_type=HELP,
       patrol="{p}一老人反映子女互相推诿赡养义务，老人生活无着，需调解。",
       hotline="来电人反映：其母亲住在{p}，几个兄弟姐妹为赡养问题闹矛盾，老人没人管，希望帮忙调解。",
       results=("司法所组织家庭调解，子女签订赡养协议，约定轮流照料并按月支付赡养费。",),
       grid_result="网格员召集老人子女开家庭会议，约定每月轮流照顾，老人表示满意。"),
    _p("dispute", "树木遮光纠纷", setting=RURAL,
       patrol="{p}邻里因屋后树木遮挡采光、树根拱坏地坪发生纠纷。",
       web="邻居家屋后的几棵大树把我家窗户全挡了，树根把地坪都拱裂了，{p}村干部说了也没用。",
       results=("经调解，树木所有人同意修剪树枝并砍伐一棵，地坪损失由其负责修复。",),
       grid_result="网格员现场协调，邻居同意修枝，已请人修剪完毕。"),
    # --- 民生保障 -------------------------------------------------------------------------------------------------
    _p("welfare", "独居老人需关爱", request_type=HELP,
       web="我们{p}有个孤老太太，儿女都在外地，最近身体不好，几天没见她出门了，能不能请人去看看。",
       patrol="走访发现{p}独居老人一名，80岁，行动不便，家中无人照料，需纳入关爱对象。",
       hotline="来电人反映：{p}一位独居老人生活困难，腿脚不便，希望社区定期上门照看。",
       results=("民政办已上门走访，将老人纳入特殊困难老人关爱名单，安排志愿者每周两次上门。",),
       grid_result="网格员已上门看望，老人无大碍，已结对志愿者每天电话问候。"),
    _p("welfare", "咨询低保申请", request_type=CONSULT,
       web="家里老人瘫痪在床，我一个人打零工，日子很难，住在{p}，请问怎么申请困难补助？",
       hotline="来电人咨询：家住{p}，丈夫去年因病去世，家里还有两个孩子上学，想了解能不能申请低保。",
       results=("已电话答复低保申请条件和所需材料，并上门指导提交申请，目前已进入审核公示。",)),
    _p("welfare", "残疾人辅具申请", request_type=HELP,
       patrol="{p}残疾人一户，轮椅老旧损坏，申请辅具适配。",
       web="我父亲是二级肢体残疾，住{p}，轮椅坏了好久了，听说可以申请辅具，怎么办理？",
       results=("已协助申请辅具适配，新轮椅已送货上门。",)),
    _p("welfare", "助餐点停办", setting=URBAN, request_type=SUGGEST,
       web="{p}附近的老年助餐点关了，我们几个老人吃饭成了问题，能不能恢复？",
       hotline="来电人反映：{p}周边老年助餐点停办，独居老人吃饭困难，建议恢复。",
       results=("已协调新的助餐服务商，助餐点下周一恢复供餐，并提供送餐上门。",)),
    _p("welfare", "高龄补贴未发放", request_type=CONSULT,
       hotline="来电人反映：其父亲今年满80周岁，住{p}，高龄补贴一直没发下来，想问问怎么回事。",
       web="我家老人住{p}，上个月满80岁了，高龄津贴要自己去申请吗？",
       results=("经查系资料未录入，已补录，下月起按月发放并补发前两个月。",)),
    # --- 城市管理 -------------------------------------------------------------------------------------------------
    _p("urban", "疑似违法建设", request_type=TIP_OFF,
       patrol="{p}发现一处在建违法建筑，约40平方米，未见审批手续。",
       hotline="来电人举报：{p}有人在自家院子里加盖房子，已经砌到二层了。",
       results=("城管中队已下达停工通知，当事人已自行拆除违建部分。",)),
    _p("urban", "占道经营", setting=URBAN,
       web="{p}门口每天早上都有摆摊卖菜的，把路堵得死死的，车进不去人出不来。",
       patrol="{p}流动摊贩占道经营，影响通行。",
       results=("已劝离占道摊贩，引导其进入附近农贸市场经营，并安排早高峰定时巡查。",),
       grid_result="网格员劝导摊贩到旁边空地集中摆放，通道已畅通。"),
    _p("urban", "人行道乱停车", setting=URBAN,
       web="{p}人行道上停满了车，推婴儿车只能走到马路上，太危险了。",
       patrol="{p}人行道机动车乱停放，占用盲道。",
       results=("已对违停车辆贴单告知，并在人行道口加装隔离桩。",)),
    _p("urban", "乱贴小广告", setting=URBAN,
       patrol="{p}楼道及外墙张贴小广告较多。",
       results=("已清除小广告，对广告上的号码进行了停机处理。",),
       grid_result="网格员组织志愿者清理了楼道小广告。"),
    # --- 安全隐患 -------------------------------------------------------------------------------------------------
    _p("safety", "楼道电动车充电", setting=URBAN, request_type=TIP_OFF,
       web="{p}楼道里天天有人拉电线给电动车充电，万一着火我们楼上的人怎么逃？",
       patrol="{p}楼道内电动自行车违规充电2处，已当场劝导。",
       hotline="来电人反映：{p}有居民在楼道里给电瓶车充电，存在火灾隐患。",
       results=("已督促物业清理楼道电动车，并在小区增设集中充电桩20个。",),
       grid_result="网格员逐户劝导，楼道电动车已全部推出，飞线已拆除。"),
    _p("safety", "消防通道堵塞", setting=URBAN,
       patrol="{p}消防通道被杂物和车辆堵塞。",
       web="{p}的消防通道天天停满车，上次救护车都开不进来，太危险了！",
       results=("已清理消防通道杂物，施划禁停标线，物业安排专人值守。",),
       grid_result="网格员联系物业清走杂物，车主已挪车。"),
    _p("safety", "老旧房屋开裂", setting=RURAL, request_type=HELP,
       patrol="{p}一户老旧房屋墙体开裂明显，屋内仍有老人居住。",
       hotline="来电人反映：其邻居家在{p}的老房子墙裂了好几道缝，老人还住在里面，担心哪天塌了。",
       results=("已组织房屋安全鉴定为C级，老人已临时搬至亲属家居住，危改申请已上报。",)),
    _p("safety", "电线断落", request_type=HELP, urgent=True,
       hotline="来电人反映：{p}大风刮断了一根电线，掉在路边地上还冒火花，附近有小孩在玩，请马上派人处理！",
       web="{p}路边电线断了掉在地上，还在冒火星，大家都不敢走，快来人！",
       results=("供电抢修人员已赶到现场断电并更换断线，已恢复供电。",)),
    _p("safety", "燃气泄漏气味", setting=URBAN, request_type=HELP, urgent=True,
       hotline="来电人反映：{p}楼道里燃气味很重，怀疑哪里漏气，请赶快派人来看。",
       web="{p}单元楼道一股很浓的煤气味，我们已经开窗了，快派人来查一下！",
       results=("燃气公司到场排查，系一户燃气软管老化漏气，已关阀更换，现场检测正常。",)),
    _p("safety", "鱼塘边缺少警示", setting=RURAL, request_type=SUGGEST,
       patrol="{p}鱼塘边无警示牌及防护栏，暑期有儿童在塘边玩耍。",
       results=("已在鱼塘边设置防溺水警示牌3块及救生圈一只。",),
       grid_result="网格员已在塘边插上警示牌并挂好救生圈。"),
    # --- 公用事业 -------------------------------------------------------------------------------------------------
    _p("utilities", "有线电视无信号", setting=RURAL,
       hotline="来电人反映：{p}家里的有线电视没信号一个星期了，报修了还没人来。",
       web="家里电视一直显示无信号，{p}好几家都这样，老人就指望看看电视了。",
       results=("广电站检修了光节点，更换损坏的分支器，信号已恢复。",)),
    _p("utilities", "频繁停电",
       web="{p}这边一到晚上就跳闸停电，一周好几次了，冰箱里的东西都坏了。",
       patrol="{p}多户居民反映电压不稳、频繁停电。",
       results=("供电所更换了老化的台区变压器，已恢复正常供电。",)),
    _p("utilities", "自来水水压低", setting=URBAN,
       hotline="来电人反映：{p}高层自来水水压太低，白天六楼以上基本没水。",
       web="{p}我们住七楼，白天水龙头就滴几滴，洗个菜都要等半天。",
       results=("水务公司检修了二次供水泵房，水压已恢复正常。",)),
    # --- 生态环境 -------------------------------------------------------------------------------------------------
    _p("environment", "工地夜间施工噪声", setting=URBAN,
       web="{p}旁边的工地天天半夜还在施工，打桩声吵得人根本睡不着，能不能管管？",
       hotline="来电人反映：{p}附近工地夜间施工噪声扰民，晚上十一点后仍在作业。",
       results=("已对施工单位立案调查，责令晚十点后停止高噪声作业。",)),
    _p("environment", "企业排放异味", request_type=TIP_OFF,
       hotline="来电人反映：{p}附近一家厂每天傍晚排出刺鼻气味，关着窗都能闻到。",
       patrol="{p}周边居民反映企业排放异味，现场闻到明显刺激性气味。",
       results=("生态环境局现场检查，企业废气处理设施未正常运行，已责令整改并立案处罚。",)),
    _p("environment", "广场舞噪声", setting=URBAN,
       web="{p}楼下广场舞音响开得震天响，一直跳到晚上九点多，家里孩子要写作业。",
       results=("已约谈广场舞队负责人，约定音量限值并于晚八点半前结束。",),
       grid_result="网格员与舞队领队协商，音响已调小，结束时间改到八点半。"),
    _p("environment", "工地扬尘",
       patrol="{p}工地裸土未覆盖，车辆带泥上路，扬尘较大。",
       results=("已责令工地覆盖裸土、设置洗车平台，路面已冲洗干净。",)),
    # --- 物业小区 -------------------------------------------------------------------------------------------------
    _p("property", "电梯频繁故障", setting=URBAN,
       web="{p}5号楼电梯三天两头坏，上周还关了人，物业只会说在修，我们住十几楼的老人下不了楼。",
       hotline="来电人反映：{p}电梯故障频发，物业维修不及时。",
       results=("住建局约谈物业和维保单位，更换了电梯主板和门机，已通过检测。",)),
    _p("property", "物业服务不到位", setting=URBAN,
       web="{p}的路灯、门禁坏了几个月，物业费照收，就是不修。",
       hotline="来电人反映：{p}物业服务差，公共设施损坏长期不修。",
       results=("已督促物业限期修复路灯和门禁，并召开业主恳谈会。",)),
    _p("property", "小区停车混乱", setting=URBAN,
       hotline="来电人反映：{p}车位严重不足，物业还放外来车辆进来停，业主意见很大。",
       results=("已督促物业实行外来车辆登记限时停放，并新划车位30个。",)),
    # --- 农业农村 -------------------------------------------------------------------------------------------------
    _p("agriculture", "焚烧秸秆", setting=RURAL, request_type=TIP_OFF, urgent=True,
       patrol="{p}田间发现焚烧秸秆，火势正在蔓延，烟雾较大，已现场扑打并上报。",
       hotline="来电人反映：{p}有人在田里烧秸秆，浓烟滚滚，路上都看不清了！",
       results=("已组织人员扑灭明火，对焚烧农户进行了批评教育，并督促秸秆机械化还田。",),
       grid_result="网格员与村干部现场扑灭明火，已对农户宣传禁烧规定。"),
    _p("agriculture", "灌溉渠坍塌", setting=RURAL, request_type=HELP,
       web="{p}的灌溉渠好多地方塌了，水放不过来，马上要栽秧了，急死人。",
       patrol="{p}灌溉渠渠道坍塌2处，影响灌溉。",
       results=("已组织机械修复渠道两处，灌溉用水已恢复。",)),
    _p("agriculture", "咨询种粮补贴", setting=RURAL, request_type=CONSULT,
       hotline="来电人咨询：家住{p}，今年的种粮补贴什么时候发，标准是多少。",
       results=("已电话答复补贴标准及发放时间，补贴已于本月打卡发放。",)),
    # --- 市场监管 -------------------------------------------------------------------------------------------------
    _p("market", "超市销售过期食品",
       web="在{p}附近的小超市买了袋面包，回家一看过期半个月了，老板还不认账。",
       hotline="来电人反映：其在{p}一家便利店买到过期牛奶，商家拒绝退换。",
       results=("市场监管所已现场检查，下架过期食品并立案调查，已督促商家退一赔十。",)),
    _p("market", "无证小吃摊", request_type=TIP_OFF,
       hotline="来电人反映：{p}路边有个小吃摊没有任何证照，卫生条件很差。",
       results=("已责令摊主停止经营，引导其办理食品摊贩登记卡。",)),
    # --- 卫生健康 -------------------------------------------------------------------------------------------------
    _p("health", "流浪狗伤人", request_type=HELP,
       web="{p}有条流浪狗咬了好几个人了，我家孩子也被追过，打狂犬疫苗去哪里？能不能把狗抓走？",
       results=("已告知就近犬伤门诊地址，流浪犬已由捕犬队收容。",)),
    _p("health", "村卫生室常关门", setting=RURAL,
       hotline="来电人反映：{p}的村卫生室经常关门，老人量个血压都找不到医生。",
       results=("卫生院已约谈村医，公示开诊时间，并开通电话预约上门服务。",)),
    # --- 法律服务 / 社会治安 / 劳动保障 / 教育 ------------------------------------------------------------------------
    _p("legal", "咨询遗产继承", request_type=CONSULT,
       hotline="来电人咨询：其父亲去世没有留遗嘱，{p}的老房子兄弟几个怎么分，想请法律工作者讲讲。",
       web="我想和人签个借款协议，不知道怎么写才有法律效力，{p}附近有没有免费的法律咨询？",
       results=("法学工作站已安排律师电话解答，并约定周三到村（社区）法律服务点面谈。",)),
    _p("public_security", "电瓶被盗", request_type=TIP_OFF,
       hotline="来电人反映：{p}最近晚上有人偷电动车电瓶，已经丢了好几家了。",
       patrol="{p}有陌生人挨家挨户推销保健品，疑似针对老人诈骗。",
       results=("派出所已加强夜间巡逻，并在路口增设监控，开展防盗防骗宣传。",)),
    _p("labor", "拖欠工资", request_type=HELP,
       hotline="来电人反映：其在{p}附近一家厂里打工，老板拖欠三个月工资共一万二，一直不给。",
       web="我在{p}旁边的工地干活，包工头拖欠工资两个月了，电话也不接，怎么办？",
       results=("劳动保障所已约谈企业负责人，拖欠工资已全额支付。",)),
    _p("education", "校门口接送拥堵", setting=URBAN, request_type=SUGGEST,
       web="{p}小学门口放学时车停得乱七八糟，孩子从车缝里钻，太危险了，能不能安排人疏导？",
       results=("已协调学校、交警设置接送区，放学时段安排护学岗疏导。",)),
    _p("education", "咨询入学", request_type=CONSULT,
       hotline="来电人咨询：刚搬到{p}，孩子明年上小学，户口还没迁过来，能不能在这边上学。",
       results=("已答复积分入学政策和报名时间，并告知所需材料清单。",)),
]
# fmt: on

#: How often each category is reported (relative weights).
CATEGORY_WEIGHTS: dict[str, float] = {
    "sanitation": 18,
    "road": 15,
    "water": 12,
    "dispute": 12,
    "welfare": 10,
    "urban": 7,
    "safety": 6,
    "utilities": 5,
    "environment": 5,
    "property": 4,
    "agriculture": 6,
    "market": 2,
    "health": 1.5,
    "legal": 1.5,
    "public_security": 1,
    "labor": 1,
    "education": 1.5,
}

#: Scenario → (number of cases, youngest and oldest report age in days). Each scenario ends in one status.
SCENARIOS: dict[str, tuple[int, float, float]] = {
    "closed_rated": (86, 6, 88),
    "closed_in_grid": (36, 2, 88),
    "closed_rework": (7, 8, 85),
    "closed_reopened": (6, 12, 85),
    "closed_extension": (6, 15, 85),
    "closed_district": (5, 10, 85),
    "closed_returned": (5, 8, 85),
    "closed_suspended": (3, 30, 85),
    "verified": (12, 1.5, 9),
    "resolved": (14, 0.5, 6),
    "in_progress": (20, 0.3, 3),
    "in_progress_red": (9, 18, 50),
    "in_progress_yellow": (7, 0, 0),  # the clock start is chosen so that 80-93 % of the time is used
    "in_progress_rework": (3, 3, 12),
    "in_progress_extension": (4, 4, 14),
    "suspended": (5, 6, 40),
    "dispatched": (12, 0.1, 1.5),
    "dispatched_returned": (4, 0.5, 3),
    "accepted": (9, 0.05, 1.2),
    "accepted_grid": (9, 0.1, 3),
    "accepted_returned": (3, 0.5, 3),
    "reported": (12, 0.02, 0.3),
    "reported_district": (4, 0.3, 2.5),
    "reopened": (7, 2, 20),
    "rejected": (11, 1, 88),
}

#: How many of the generated cases get a duplicate report that the center merges into them (重复件).
DUPLICATES = 12

#: Scenarios whose case ends up with a department (they need the department's handler account).
_DISPATCHING = {name for name in SCENARIOS if not name.startswith(("reported", "rejected"))} - {
    "closed_in_grid",
    "accepted",
    "accepted_grid",
}
#: Scenarios that first go to a wrong department, which returns the case (退回).
_RETURNED = {"closed_returned", "dispatched_returned", "accepted_returned"}
#: Scenarios that go up to the district command center.
_DISTRICT = {"closed_district", "reported_district"}
#: Scenarios that may be reported by a grid worker (the others come from residents or the hotline).
_ANY_CHANNEL = {
    "closed_rated",
    "closed_rework",
    "closed_extension",
    "closed_returned",
    "closed_suspended",
    "verified",
    "in_progress",
    "in_progress_red",
    "in_progress_rework",
    "in_progress_extension",
    "suspended",
    "dispatched",
    "dispatched_returned",
    "accepted_returned",
}
#: Share of a scenario's cases that the grid worker solves in the grid (格内化解) instead of a department.
_GRID_VARIANT_SHARE = {"resolved": 0.4, "reopened": 0.5, "closed_in_grid": 1.0}

#: The department kind a dispatcher might wrongly send a category to (the department then returns it).
_CONFUSED_WITH: dict[str, list[str]] = {
    "road": [K.URBAN],
    "sanitation": [K.URBAN],
    "water": [K.AGRICULTURE, K.TRANSPORT],
    "dispute": [K.JUSTICE, K.LEGAL],
    "welfare": [K.COMPREHENSIVE],
    "urban": [K.TRANSPORT],
    "safety": [K.URBAN],
    "utilities": [K.TRANSPORT],
    "environment": [K.URBAN],
    "property": [K.URBAN],
    "agriculture": [K.WATER],
    "market": [K.URBAN],
    "health": [K.CIVIL_AFFAIRS],
    "legal": [K.COMPREHENSIVE],
    "public_security": [K.COMPREHENSIVE],
    "labor": [K.JUSTICE],
    "education": [K.CIVIL_AFFAIRS],
}

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


# --- Plans ------------------------------------------------------------------------------------------------------------


@dataclass
class _Report:
    """What one report says and who makes it."""

    channel: str
    text: str
    reporter_name: str = ""
    reporter_phone: str = ""
    by_resident: bool = False


@dataclass
class _Plan:
    """One generated case: where, what, who reports it, when, and which scenario its history follows."""

    index: int
    scenario: str
    in_grid: bool
    town: Area
    grid: Area
    problem: Problem
    category: Category
    place: str
    report: _Report
    with_category: bool
    report_at: datetime
    address: str
    lat: float | None = None
    lon: float | None = None
    pinned_start: datetime | None = None  # the accept time of a case meant to be due soon (yellow)
    duplicate: _Report | None = None


@dataclass
class DemoCases:
    """What ``load_demo_cases`` did: demo cases present after the run, and how many this run created."""

    total: int = 0
    created: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def _workday_on_or_before(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def _is_rural(grid: Area) -> bool:
    village = grid.parent
    return village is not None and village.name.endswith("村")


def _places(grid: Area, setting: str) -> list[str]:
    """The names people use for a place in the grid that fit the problem (compounds, roads or 组)."""
    aliases = list(grid.aliases) or [grid.name]
    if setting == URBAN:
        return [alias for alias in aliases if not alias.endswith("段")]
    return aliases


class _Planner:
    """Draws the plans from the seed: which grid, problem, voice, reporter and time each case gets."""

    def __init__(self, reference: datetime) -> None:
        # What, where and who come from one stream, when from another: the texts (the idempotency marker) must not
        # depend on the reference moment, whose weekday changes how many draws the timing takes.
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.time_rng = random.Random(f"{SEED}/time")  # noqa: S311
        self.reference = reference
        self.categories = {category.code: category for category in Category.objects.all()}
        grids = list(
            Area.objects.filter(level=AreaLevel.GRID, is_active=True)
            .select_related("parent__parent__parent")
            .order_by("path")
        )
        self.grids_by_town: dict[int, list[Area]] = {}
        self.towns: dict[int, Area] = {}
        for grid in grids:
            town = grid.parent.parent if grid.parent is not None else None
            if town is None or town.level != AreaLevel.TOWN:
                continue
            self.towns[town.pk] = town
            self.grids_by_town.setdefault(town.pk, []).append(grid)
        # Some grids are busier than others; 石港镇, where the platform started, reports the most.
        self.grid_weights = {
            town_pk: [0.2 + self.rng.random() ** 2 for _ in town_grids]
            for town_pk, town_grids in self.grids_by_town.items()
        }
        self.town_order = sorted(self.towns, key=lambda pk: self.towns[pk].path)
        self.town_weights = [3.0 if self.towns[pk].name == "石港镇" else 1.0 for pk in self.town_order]
        self.used_texts: set[str] = set(STORY_TEXTS)
        self.phones: set[str] = {RESIDENT_PHONE}

    # -- people --

    def _phone(self) -> str:
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _reporter(self, channel: str) -> tuple[str, str]:
        if channel == PATROL:
            return "", ""
        surname = self.rng.choice(SURNAMES)
        if channel == HOTLINE and self.rng.random() < 0.6:
            name = surname + self.rng.choice(["先生", "女士"])
        else:
            name = surname + self.rng.choice(GIVEN_NAMES)
        return name, self._phone()

    # -- what and where --

    def _channel(self, scenario: str, in_grid: bool) -> str:
        if in_grid:
            return PATROL if self.rng.random() < 0.75 or scenario != "closed_in_grid" else WEB
        if scenario == "accepted_grid":
            return PATROL
        if scenario in _ANY_CHANNEL:
            return self.rng.choices([WEB, HOTLINE, PATROL], weights=[35, 33, 32])[0]
        return self.rng.choice([WEB, HOTLINE])

    def _draw(self, scenario: str, in_grid: bool, channel: str) -> tuple[Area, Area, Problem, str, str]:
        """A town, grid, problem, place and text fitting the channel; every text distinct."""
        for _attempt in range(500):
            town_pk = self.rng.choices(self.town_order, weights=self.town_weights)[0]
            grid = self.rng.choices(self.grids_by_town[town_pk], weights=self.grid_weights[town_pk])[0]
            rural = _is_rural(grid)
            candidates = [
                problem
                for problem in PROBLEMS
                if channel in problem.texts
                and problem.setting in (ANY, RURAL if rural else URBAN)
                and (problem.grid_result or not in_grid)
                and problem.category in self.categories
                and (not problem.urgent or scenario.startswith("closed"))
                and (problem.request_type != CONSULT or scenario not in _DISTRICT)
            ]
            if not candidates:
                continue
            weights = [CATEGORY_WEIGHTS.get(problem.category, 1.0) for problem in candidates]
            # A category's weight is shared by its problems that fit here.
            per_category: dict[str, int] = {}
            for problem in candidates:
                per_category[problem.category] = per_category.get(problem.category, 0) + 1
            weights = [w / per_category[p.category] for w, p in zip(weights, candidates, strict=True)]
            problem = self.rng.choices(candidates, weights=weights)[0]
            places = _places(grid, problem.setting)
            if not places:
                continue
            place = self.rng.choice(places)
            text = problem.texts[channel].format(p=place)
            if text in self.used_texts:
                continue
            self.used_texts.add(text)
            return self.towns[town_pk], grid, problem, place, text
        raise RuntimeError("no distinct demo case text left to draw")  # pragma: no cover

    def _coordinates(self, grid: Area) -> tuple[float | None, float | None]:
        """A point near the grid's centroid that lies in the grid (so the map shows it where it belongs)."""
        if grid.centroid_lat is None or grid.centroid_lon is None:
            return None, None
        for spread in (0.002, 0.001, 0.0):
            lat = round(grid.centroid_lat + self.rng.uniform(-spread, spread), 6)
            lon = round(grid.centroid_lon + self.rng.uniform(-spread, spread), 6)
            if get_grid_index().lookup(lat, lon) == grid.code:
                return lat, lon
        return None, None

    # -- when --

    def _report_time(self, channel: str, low: float, high: float) -> datetime:
        age = timedelta(days=self.time_rng.uniform(low, high))
        moment = self.reference - age
        if age < timedelta(days=1):
            # Recent reports keep their age, but few people call or click before seven in the morning.
            local = timezone.localtime(moment)
            morning = _aware(local.date(), time(7)) + timedelta(minutes=self.time_rng.uniform(0, 60))
            if local.hour < 7 and morning < self.reference - timedelta(minutes=10):
                return morning
            return moment
        # Older reports get a believable time of day: patrols in office hours, calls and web reports by day.
        if channel == PATROL:
            minutes = self.time_rng.uniform(8.5 * 60, 17 * 60)
        else:
            minutes = self.time_rng.triangular(7 * 60, 22.5 * 60, 10 * 60)
        local = timezone.localtime(moment)
        moment = _aware(local.date(), time(0)) + timedelta(minutes=minutes)
        while moment >= self.reference - timedelta(minutes=30):
            moment -= timedelta(days=1)
        return moment

    def _yellow_start(self, sla_days: int) -> datetime | None:
        """An accept time (in the day, 8:00-21:00) from which 80-93 % of the working time is used by now."""
        found: list[datetime] = []
        start = self.reference
        while True:
            start -= timedelta(hours=1)
            if not 8 <= timezone.localtime(start).hour < 21:
                continue
            end = add_working_days(start, sla_days).at
            if end <= self.reference:
                break
            allowed = working_time_between(start, end)
            if allowed > 0 and 0.8 <= working_time_between(start, self.reference) / allowed <= 0.93:
                found.append(start)
        return self.time_rng.choice(found) if found else None

    # -- the plans --

    def plans(self) -> list[_Plan]:
        scenarios = [name for name, (count, _low, _high) in SCENARIOS.items() for _ in range(count)]
        plans: list[_Plan] = []
        for index, scenario in enumerate(scenarios):
            _count, low, high = SCENARIOS[scenario]
            in_grid = self.rng.random() < _GRID_VARIANT_SHARE.get(scenario, 0.0)
            channel = self._channel(scenario, in_grid)
            town, grid, problem, place, text = self._draw(scenario, in_grid, channel)
            name, phone = self._reporter(channel)
            category = self.categories[problem.category]
            pinned = None
            if scenario == "in_progress_yellow":
                pinned = self._yellow_start(category.sla_working_days)
                if pinned is None:  # pragma: no cover - only with an empty calendar
                    scenario, low, high = "in_progress", 0.3, 3
            report_at = (
                pinned - timedelta(minutes=self.time_rng.uniform(5, 40))
                if pinned is not None
                else self._report_time(channel, low, high)
            )
            village = grid.parent
            lat, lon = self._coordinates(grid)
            address = (
                f"{town.name}{place}"
                if village is not None and place.startswith(village.name)
                else f"{town.name}{village.name if village else ''}{place}"
            )
            plans.append(
                _Plan(
                    index=index,
                    scenario=scenario,
                    in_grid=in_grid,
                    town=town,
                    grid=grid,
                    problem=problem,
                    category=category,
                    place=place,
                    report=_Report(channel, text, name, phone),
                    with_category=channel != WEB or self.rng.random() < 0.5,
                    report_at=report_at,
                    address=address,
                    lat=lat,
                    lon=lon,
                    pinned_start=pinned,
                )
            )
        self._add_duplicates(plans)
        self._add_resident(plans)
        plans.sort(key=lambda plan: plan.report_at)
        return plans

    def _add_duplicates(self, plans: list[_Plan]) -> None:
        """The same problem reported again in another voice, to be merged into the first report."""
        eligible = {"closed_rated", "closed_in_grid", "in_progress", "dispatched", "verified", "resolved"}
        candidates = [plan for plan in plans if plan.scenario in eligible]
        self.rng.shuffle(candidates)
        added = 0
        for plan in candidates:
            if added == DUPLICATES:
                break
            voices = [
                channel
                for channel in (WEB, HOTLINE)
                if channel in plan.problem.texts and channel != plan.report.channel
            ]
            if not voices:
                continue
            channel = self.rng.choice(voices)
            text = plan.problem.texts[channel].format(p=plan.place)
            if text in self.used_texts:
                continue
            self.used_texts.add(text)
            name, phone = self._reporter(channel)
            plan.duplicate = _Report(channel, text, name, phone)
            added += 1

    def _add_resident(self, plans: list[_Plan]) -> None:
        """A few web reports come from the demo resident's own account, so signing in as them shows cases."""
        candidates = [
            plan
            for plan in plans
            if plan.report.channel == WEB and plan.town.name == "石港镇" and plan.scenario != "rejected"
        ]
        for plan in self.rng.sample(candidates, min(RESIDENT_CASES, len(candidates))):
            plan.report.reporter_name, plan.report.reporter_phone = RESIDENT_NAME, RESIDENT_PHONE
            plan.report.by_resident = True


# --- The cast ---------------------------------------------------------------------------------------------------------


class _Cast:
    """Who plays each part: the demo accounts where they fit, and an account (unusable password, audited) for each
    town center, grid and department that has none.

    The existing grants are read once (one query) instead of asking the selectors per case: the loader is the
    only writer while it runs, and it records what it creates.
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self._by_area: dict[tuple[str, int], User] = {}
        self._by_department: dict[int, User] = {}
        self._by_path: list[tuple[str, str, User]] = []  # (role, area path, user) for leaders and grid chiefs
        grants = (
            RoleGrant.objects.filter(user__is_active=True)
            .select_related("user", "area")
            .order_by("user__username", "pk")
        )
        for grant in grants:
            if (
                grant.role == Role.DEPARTMENT_HANDLER
                and grant.department_id is not None
                and grant.area is None
            ):
                self._by_department.setdefault(grant.department_id, grant.user)
            elif grant.area is not None:
                self._by_area.setdefault((grant.role, grant.area.pk), grant.user)
                if grant.role in (Role.LEADER, Role.GRID_CHIEF):
                    self._by_path.append((grant.role, grant.area.path, grant.user))
        self.resident = next(
            (
                grant.user
                for grant in grants
                if grant.role == Role.RESIDENT and grant.user.username == "resident"
            ),
            None,
        )
        self._routes: dict[tuple[int, int], RouteSuggestion] = {}
        self._wrong: dict[tuple[int, int], Department] = {}

    def _create(
        self,
        username: str,
        name: str,
        role: str,
        *,
        area: Area | None = None,
        department: Department | None = None,
    ) -> User:
        """An account that cannot sign in (no password) with one role grant; both writes are audited."""
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_actions.create_user(actor=self.actor, username=username, name=name)
        account_actions.grant_role(actor=self.actor, user=user, role=role, area=area, department=department)
        return user

    def dispatcher(self, center: Area) -> User:
        key = (Role.DISPATCHER, center.pk)
        if key not in self._by_area:
            self._by_area[key] = self._create(
                f"dispatcher-{center.code}", f"{center.name}指挥中心坐席", Role.DISPATCHER, area=center
            )
        return self._by_area[key]

    def grid_worker(self, grid: Area) -> User:
        key = (Role.GRID_WORKER, grid.pk)
        if key not in self._by_area:
            self._by_area[key] = self._create(
                f"gridworker-{grid.code}", f"{grid.name}网格员", Role.GRID_WORKER, area=grid
            )
        return self._by_area[key]

    def has_grid_worker(self, grid: Area) -> bool:
        return (Role.GRID_WORKER, grid.pk) in self._by_area

    def handler(self, department: Department) -> User:
        if department.pk not in self._by_department:
            self._by_department[department.pk] = self._create(
                f"handler-{department.code}", department.name, Role.DEPARTMENT_HANDLER, department=department
            )
        return self._by_department[department.pk]

    def _over(self, role: str, path: str) -> User | None:
        return next(
            (user for r, area_path, user in self._by_path if r == role and path.startswith(area_path)), None
        )

    def leader(self, town: Area) -> User | None:
        """The leader supervising the town (the demo ``leader`` for 石港镇); no account is created."""
        return self._over(Role.LEADER, town.path)

    def chief(self, village: Area) -> User | None:
        """The village's grid chief if it has one (the demo ``gridchief`` for 北渡村); none is created."""
        return self._over(Role.GRID_CHIEF, village.path)

    def route(self, category: Category, area: Area) -> RouteSuggestion:
        """The routing rule's lead and helpers. The demo region has rules per town and per district only, so a
        grid's route is its town's (one lookup per category and town)."""
        if area.level == AreaLevel.GRID and area.parent is not None and area.parent.parent is not None:
            area = area.parent.parent
        key = (category.pk, area.pk)
        if key not in self._routes:
            suggestion = suggest_route(category, area)
            if suggestion is None:  # pragma: no cover - the demo region routes every category
                raise LookupError(f"no routing rule for {category.code} in {area.name}")
            self._routes[key] = suggestion
        return self._routes[key]

    def wrong_department(self, category: Category, town: Area, lead: Department) -> Department:
        """A department a busy dispatcher might mistake for the right one (it returns the case)."""
        key = (category.pk, town.pk)
        if key not in self._wrong:
            kinds = [*_CONFUSED_WITH.get(category.code, []), K.URBAN, K.TRANSPORT]
            departments = Department.objects.filter(area=town, kind__in=kinds, is_active=True).exclude(
                pk=lead.pk
            )
            ranked = sorted(
                departments, key=lambda department: (kinds.index(department.kind), department.code)
            )
            if not ranked:  # pragma: no cover - every demo town has both
                raise LookupError(f"no other department in {town.name}")
            self._wrong[key] = ranked[0]
        return self._wrong[key]

    def prepare(self, plan: _Plan) -> None:
        """Create every account the plan's history needs now, before the clock is simulated."""
        self.dispatcher(plan.town)
        if plan.scenario in _DISTRICT:
            district = plan.town.parent
            assert district is not None  # noqa: S101 - towns hang under districts
            self.dispatcher(district)
        if plan.report.channel == PATROL or plan.in_grid:
            self.grid_worker(plan.grid)
        if plan.scenario not in _DISPATCHING:
            return
        area = plan.town.parent if plan.scenario in _DISTRICT else plan.grid
        assert area is not None  # noqa: S101
        route = self.route(plan.category, area)
        for department in [route.lead, *route.helpers]:
            self.handler(department)
        if plan.scenario in _RETURNED:
            self.handler(self.wrong_department(plan.category, plan.town, route.lead))


# --- Walking a case through its history -------------------------------------------------------------------------------


class _Clock:
    """The simulated "now" the actions see while one case's history is written (demo only, see the docstring)."""

    def __init__(self, start: datetime, limit: datetime) -> None:
        self.now = start
        self.limit = limit

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        """Move to ``moment``; a step that would pass the reference moment lands halfway there instead, so the
        tail of a history is compressed but stays in order and in the past."""
        self.now = moment if moment < self.limit else self.now + (self.limit - self.now) / 2


def _office(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working morning when it falls outside office hours (departments work by day)."""
    local = timezone.localtime(moment)
    if is_workday(local.date()) and time(8, 30) <= local.time() <= time(17, 0):
        return moment
    day = local.date() if local.time() < time(8, 30) else local.date() + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return _aware(day, time(8, 30)) + timedelta(minutes=rng.uniform(0, 150))


class _Walk:
    """Writes one case's history with the real actions, advancing the simulated clock between the steps."""

    def __init__(self, cast: _Cast, plan: _Plan, clock: _Clock) -> None:
        self.cast = cast
        self.plan = plan
        self.clock = clock
        self.rng = random.Random(f"{SEED}/walk/{plan.index}")  # noqa: S311 - demo data, not security
        self.case: Case
        self.lead: Department | None = None
        self.helpers: list[Department] = []
        self.urgent = plan.problem.urgent

    # -- time --

    def wait(self, low: float, high: float, *, office: bool = False) -> None:
        """Let ``low``..``high`` minutes pass (at a department: until office hours, unless urgent)."""
        moment = self.clock.now + timedelta(minutes=self.rng.uniform(low, high))
        if office and not self.urgent:
            moment = _office(moment, self.rng)
        self.clock.set(moment)

    def wait_days(self, low: float, high: float, *, office: bool = True) -> None:
        self.wait(low * 1440, high * 1440, office=office)

    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    # -- who --

    @property
    def town(self) -> Area:
        return self.plan.town

    def center(self) -> User:
        """The dispatcher of the command center holding the case (a grid's case is its town's)."""
        owner = self.case.owner_area
        if owner.level == AreaLevel.DISTRICT:
            return self.cast.dispatcher(owner)
        return self.cast.dispatcher(self.town)

    def approver(self) -> User:
        leader = self.cast.leader(self.town)
        if leader is not None and self.case.owner_level != OwnerLevel.DISTRICT and self.rng.random() < 0.6:
            return leader
        return self.center()

    def verifier(self, *, in_grid: bool) -> User:
        village = self.plan.grid.parent
        chief = self.cast.chief(village) if village is not None else None
        if self.case.owner_level == OwnerLevel.DISTRICT:
            return self.center()
        if chief is not None and self.rng.random() < 0.5:
            return chief
        if not in_grid and self.cast.has_grid_worker(self.plan.grid) and self.rng.random() < 0.5:
            return self.cast.grid_worker(self.plan.grid)
        return self.center()

    def route(self) -> RouteSuggestion:
        owner = self.case.owner_area
        area = owner if owner.level == AreaLevel.DISTRICT else self.plan.grid
        return self.cast.route(self.plan.category, area)

    # -- the verbs --

    def _reporter_of(self, report: _Report) -> User | None:
        if report.by_resident and self.cast.resident is not None:
            return self.cast.resident
        if report.channel == PATROL:
            return self.cast.grid_worker(self.plan.grid)
        if report.channel == HOTLINE:
            return self.cast.dispatcher(self.town)
        return None

    def _report(self, report: _Report, *, with_category: bool) -> Case:
        plan = self.plan
        case = case_actions.report_case(
            actor=self._reporter_of(report),
            channel=report.channel,
            text=report.text,
            title=f"{plan.place}{plan.problem.title}",
            category=plan.category if with_category else None,
            request_type=plan.problem.request_type,
            priority=Priority.URGENT if plan.problem.urgent else Priority.NORMAL,
            lat=plan.lat,
            lon=plan.lon,
            address=plan.address,
            grid=plan.grid,
            reporter_name=report.reporter_name,
            reporter_phone=report.reporter_phone,
        )
        # What triage would have said (the demo keeps its own categories and priorities: nothing is applied),
        # so that the dispatcher's pages show suggestions, scores and possible duplicates.
        result = triage_report(
            case.text,
            lat=case.lat,
            lon=case.lon,
            address=case.address,
            reported_at=case.reported_at,
            exclude_case=case.pk,
        )
        record_suggestion(case=case, result=result, applied=[])
        return case

    def report(self) -> None:
        self.clock.set(self.plan.report_at)
        self.case = self._report(self.plan.report, with_category=self.plan.with_category)

    def accept(self) -> None:
        if self.plan.pinned_start is not None:
            self.clock.set(self.plan.pinned_start)
        else:
            self.wait(*((2, 12) if self.urgent else (5, 90)))
        notes = [*ACCEPT_NOTES, ACCEPT_CALLBACK_NOTE] if self.case.reporter_phone else ACCEPT_NOTES
        self.case = case_actions.accept_case(
            actor=self.center(), case=self.case, category=self.plan.category, note=self.pick(notes)
        )

    def merge_duplicate(self) -> None:
        duplicate = self.plan.duplicate
        if duplicate is None:
            return
        self.wait(*((3, 30) if self.urgent else (60, 1200)))  # an urgent problem gets several calls at once
        copy = self._report(duplicate, with_category=duplicate.channel == HOTLINE)
        self.wait(5, 60)
        case_actions.merge_case(
            actor=self.cast.dispatcher(self.town),
            case=copy,
            master=self.case,
            note=MERGE_NOTE.format(number=self.case.number),
        )
        self.case.refresh_from_db()

    def escalate(self) -> None:
        """Up one level: the grid worker to the town, the town center to the district."""
        self.wait(30, 300)
        if self.case.owner_level == OwnerLevel.GRID:
            actor, reason = self.cast.grid_worker(self.plan.grid), self.pick(ESCALATE_FROM_GRID)
        else:
            actor = self.center()
            reason = ESCALATE_TO_DISTRICT.get(self.plan.category.code, ESCALATE_TO_DISTRICT_DEFAULT)
        self.case = case_actions.escalate_case(actor=actor, case=self.case, reason=reason)

    def take(self) -> None:
        """From the report to a case the center holds, accepted: accept it, or take it up from the grid."""
        self.report()
        if self.case.owner_level == OwnerLevel.GRID:
            if self.rng.random() < 0.5:
                self.escalate()
                self.accept()
        else:
            self.accept()
        self.merge_duplicate()

    def dispatch(self, lead: Department | None = None) -> None:
        route = self.route()
        self.lead = lead or route.lead
        self.helpers = [] if lead is not None else list(route.helpers)
        self.wait(*((3, 15) if self.urgent else (5, 120)))
        self.case = dispatch_actions.dispatch_case(
            actor=self.center(),
            case=self.case,
            lead=self.lead,
            helpers=self.helpers,
            note=self.pick(DISPATCH_NOTES),
        )

    def handler(self) -> User:
        assert self.lead is not None  # noqa: S101 - the case was dispatched
        return self.cast.handler(self.lead)

    def sign(self) -> None:
        for helper in self.helpers:
            if self.rng.random() < 0.6:
                self.wait(20, 600, office=True)
                self.case = dispatch_actions.sign_case(actor=self.cast.handler(helper), case=self.case)
        if self.urgent:
            self.wait(10, 30)
        else:
            self.wait(20, 600, office=True)
        self.case = dispatch_actions.sign_case(actor=self.handler(), case=self.case)
        if self.rng.random() < 0.2:
            self.wait(60, 1440, office=True)
            self.comment(self.handler(), self.pick(HANDLER_COMMENTS))

    def return_case(self) -> None:
        assert self.lead is not None  # noqa: S101
        right = self.route().lead
        self.wait(60, 900, office=True)
        self.case = dispatch_actions.return_case(
            actor=self.handler(), case=self.case, reason=self.pick(RETURN_NOTES).format(lead=right.name)
        )

    def resolve(self, *, days: tuple[float, float] = (0.3, 4)) -> None:
        if self.urgent:
            self.wait(60, 300)
        else:
            self.wait_days(*days)
        self.case = dispatch_actions.resolve_case(
            actor=self.handler(), case=self.case, result=self.pick(list(self.plan.problem.results))
        )

    def resolve_in_grid(self) -> None:
        self.wait(30, 1440, office=True)
        self.case = case_actions.resolve_in_grid(
            actor=self.cast.grid_worker(self.plan.grid), case=self.case, result=self.plan.problem.grid_result
        )

    def verify(self, *, ok: bool = True, in_grid: bool = False) -> None:
        self.wait(60, 2880, office=True)
        actor = self.verifier(in_grid=in_grid)
        if ok:
            callback = [VERIFY_CALLBACK_NOTE] if self.case.reporter_phone else []
            note = self.pick([*VERIFY_OK_NOTES, *callback])
        else:
            note = self.pick(REDO_IN_GRID_NOTES if in_grid else VERIFY_REDO_NOTES)
        self.case = case_actions.verify_case(actor=actor, case=self.case, ok=ok, note=note)

    def rate(self, satisfaction: str) -> None:
        self.wait(60, 2880, office=True)
        resident = self.cast.resident
        by_resident = resident is not None and self.case.reporter_id == resident.pk
        comments = _RATING_COMMENTS[satisfaction]
        self.case = case_actions.rate_case(
            actor=resident if by_resident and resident is not None else self.center(),
            case=self.case,
            satisfaction=satisfaction,
            comment=self.pick(comments),
            by_visit=not by_resident,
        )

    def conclude(self) -> None:
        """After verification: a phone visit (回访) for reported cases, closing for patrol findings."""
        if self.case.channel == PATROL:
            self.wait(30, 600, office=True)
            self.case = case_actions.close_case(
                actor=self.center(), case=self.case, note=self.pick(CLOSE_PATROL_NOTES)
            )
        elif self.rng.random() < 0.1:
            self.wait(1440, 4320, office=True)
            self.case = case_actions.close_case(
                actor=self.center(), case=self.case, note=self.pick(CLOSE_NOTES)
            )
        else:
            self.rate(Satisfaction.SATISFIED if self.rng.random() < 0.8 else Satisfaction.BASICALLY)

    def comment(self, actor: User, text: str, *, public: bool = False) -> None:
        self.case = case_actions.comment_case(actor=actor, case=self.case, text=text, public=public)

    def urge(self) -> None:
        leader = self.cast.leader(self.town)
        actor = leader if leader is not None and self.rng.random() < 0.3 else self.center()
        self.case = case_actions.urge_case(actor=actor, case=self.case, note=self.pick(URGE_NOTES))

    def supervise(self, *, days: float) -> bool:
        leader = self.cast.leader(self.town)
        if leader is None or self.case.owner_level == OwnerLevel.DISTRICT:
            return False
        deadline = _office(self.clock.now + timedelta(days=days), self.rng)
        self.case = case_actions.supervise_case(
            actor=leader, case=self.case, instruction=self.pick(SUPERVISE_NOTES), deadline=deadline
        )
        return True

    def request_time(self, kind: str) -> None:
        self.wait(60, 2880, office=True)
        reason = self.pick(EXTENSION_REASONS if kind == TimeRequest.KIND_EXTENSION else SUSPENSION_REASONS)
        request = dispatch_actions.request_time(
            actor=self.handler(),
            case=self.case,
            kind=kind,
            reason=reason,
            days=self.rng.randint(3, 10) if kind == TimeRequest.KIND_EXTENSION else 0,
        )
        self.wait(30, 600, office=True)
        dispatch_actions.decide_time_request(
            actor=self.approver(), request=request, approve=True, note=self.pick(DECISION_NOTES)
        )
        self.case.refresh_from_db()

    def resume(self) -> None:
        self.wait_days(5, 20)
        self.case = dispatch_actions.resume_case(
            actor=self.center(), case=self.case, note=self.pick(RESUME_NOTES)
        )

    # -- the scenarios --

    def to_department(self, *, wrong_first: bool = False) -> None:
        self.take()
        if wrong_first:
            right = self.route().lead
            self.dispatch(lead=self.cast.wrong_department(self.plan.category, self.town, right))
            self.return_case()
            self.dispatch()
        else:
            self.dispatch()

    def full(self) -> None:
        """Dispatched, signed, resolved and verified."""
        self.to_department()
        self.sign()
        self.resolve()
        self.verify()

    def run(self) -> None:
        getattr(self, f"_{self.plan.scenario}")()

    def _closed_rated(self) -> None:
        self.to_department()
        self.sign()
        if self.rng.random() < 0.15:
            self.wait_days(1, 3)
            self.urge()
        self.resolve()
        self.verify()
        self.conclude()

    def _closed_in_grid(self) -> None:
        self.report()
        self.merge_duplicate()
        if self.rng.random() < 0.3:
            self.wait(30, 600, office=True)
            self.comment(self.cast.grid_worker(self.plan.grid), self.pick(GRID_COMMENTS))
        self.resolve_in_grid()
        self.verify(in_grid=True)
        self.conclude()

    def _closed_rework(self) -> None:
        self.to_department()
        self.sign()
        self.resolve()
        self.verify(ok=False)
        self.resolve(days=(0.5, 3))
        self.verify()
        self.conclude()

    def _closed_reopened(self) -> None:
        self.full()
        self.rate(Satisfaction.DISSATISFIED)
        self.dispatch()
        self.sign()
        self.resolve()
        self.verify()
        self.rate(Satisfaction.SATISFIED if self.rng.random() < 0.6 else Satisfaction.BASICALLY)

    def _closed_extension(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_EXTENSION)
        if self.rng.random() < 0.5:
            self.wait_days(1, 3)
            self.supervise(days=4)
        self.resolve(days=(2, 8))
        self.verify()
        self.conclude()

    def _closed_district(self) -> None:
        self.report()
        self.escalate()
        self.accept()
        self.dispatch()
        self.sign()
        self.resolve(days=(2, 8))
        self.verify()
        self.conclude()

    def _closed_returned(self) -> None:
        self.to_department(wrong_first=True)
        self.sign()
        self.resolve()
        self.verify()
        self.conclude()

    def _closed_suspended(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_SUSPENSION)
        self.resume()
        self.resolve()
        self.verify()
        self.conclude()

    def _verified(self) -> None:
        self.full()

    def _resolved(self) -> None:
        if self.plan.in_grid:
            self.report()
            self.resolve_in_grid()
        else:
            self.to_department()
            self.sign()
            self.resolve()

    def _in_progress(self) -> None:
        self.to_department()
        self.sign()
        if self.rng.random() < 0.3:
            self.wait_days(0.5, 2)
            self.urge()
        elif self.rng.random() < 0.25:
            self.wait(60, 600)
            self.supervise(days=self.rng.uniform(2, 5))
        if self.rng.random() < 0.2 and self.case.reporter_phone:
            self.wait(60, 600)
            self.comment(self.center(), self.pick(CENTER_COMMENTS), public=True)

    def _in_progress_red(self) -> None:
        self.to_department()
        self.sign()
        self.wait_days(self.plan.category.sla_working_days * 0.8, self.plan.category.sla_working_days * 1.4)
        self.urge()
        self.wait_days(1, 3)
        if not self.supervise(days=3):
            self.urge()

    def _in_progress_yellow(self) -> None:
        self.report()
        self.accept()
        self.dispatch()
        self.sign()

    def _in_progress_rework(self) -> None:
        self.to_department()
        self.sign()
        self.resolve()
        self.verify(ok=False)

    def _in_progress_extension(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_EXTENSION)

    def _suspended(self) -> None:
        self.to_department()
        self.sign()
        self.request_time(TimeRequest.KIND_SUSPENSION)

    def _dispatched(self) -> None:
        self.to_department()
        if self.clock.limit - self.clock.now > timedelta(hours=20):
            self.wait(600, 1200)
            self.urge()

    def _dispatched_returned(self) -> None:
        self.to_department(wrong_first=True)

    def _accepted(self) -> None:
        self.report()
        self.accept()
        if self.rng.random() < 0.3:
            self.wait(10, 120)
            self.comment(self.center(), self.pick(CENTER_COMMENTS))

    def _accepted_grid(self) -> None:
        self.report()
        if self.rng.random() < 0.5:
            self.wait(30, 600)
            self.comment(self.cast.grid_worker(self.plan.grid), self.pick(GRID_COMMENTS))

    def _accepted_returned(self) -> None:
        self.take()
        right = self.route().lead
        self.dispatch(lead=self.cast.wrong_department(self.plan.category, self.town, right))
        self.return_case()

    def _reported(self) -> None:
        self.report()

    def _reported_district(self) -> None:
        self.report()
        if self.rng.random() < 0.5:
            self.accept()
        self.escalate()

    def _reopened(self) -> None:
        if self.plan.in_grid:
            self.report()
            self.resolve_in_grid()
            self.verify(ok=False, in_grid=True)
        else:
            self.full()
            self.rate(Satisfaction.DISSATISFIED)

    def _rejected(self) -> None:
        self.report()
        self.wait(10, 240)
        note = REJECT_CONSULT_NOTE if self.plan.problem.request_type == CONSULT else self.pick(REJECT_NOTES)
        self.case = case_actions.reject_case(actor=self.center(), case=self.case, reason=note)


# --- The origin stories ---------------------------------------------------------------------------------------------


def _point(grid: Area) -> tuple[float | None, float | None]:
    """The grid's centroid as the report's coordinates, if it falls in the grid (else no coordinates)."""
    lat, lon = grid.centroid_lat, grid.centroid_lon
    if lat is None or lon is None or get_grid_index().lookup(lat, lon) != grid.code:
        return None, None
    return lat, lon


def _find_grid(alias: str) -> Area:
    for grid in Area.objects.filter(level=AreaLevel.GRID).order_by("path"):
        if alias in grid.aliases:
            return grid
    raise LookupError(f"demo grid {alias!r} not found")


def _town_of(grid: Area) -> Area:
    town = grid.parent.parent if grid.parent is not None else None
    if town is None:  # pragma: no cover - grids hang under villages under towns
        raise LookupError(grid.name)
    return town


def _stories(cast: _Cast, reference: datetime) -> list[tuple[str, datetime, Callable[[_Clock], None]]]:
    """The three origin stories as (text, report time, writer). Their times are fixed relative to the reference."""
    mirror_grid = _find_grid("北渡村22组")
    boundary_grid = _find_grid("花市街村4组")
    road_grid = _find_grid("翠竹新村")
    today = timezone.localtime(reference).date()
    mirror_day = _workday_on_or_before(today - timedelta(days=62))
    boundary_day = _workday_on_or_before(today - timedelta(days=45))
    road_day = today - timedelta(days=20)
    categories = {category.code: category for category in Category.objects.all()}

    def at(day: date, hour: int, minute: int, days: int = 0) -> datetime:
        return _aware(day + timedelta(days=days), time(hour, minute))

    def mirror(clock: _Clock) -> None:
        town = _town_of(mirror_grid)
        dispatcher = cast.dispatcher(town)
        lead = cast.route(categories["road"], mirror_grid).lead  # 石港镇建设办
        handler = cast.handler(lead)
        clock.set(at(mirror_day, 9, 12))
        case = case_actions.report_case(
            actor=dispatcher, channel=HOTLINE, text=STORY_MIRROR, title="北渡村22组拐角视线盲区，建议安装凸面镜",
            category=categories["road"], request_type=SUGGEST, grid=mirror_grid,
            address="石港镇北渡村22组村道拐角", reporter_name="王女士", reporter_phone="13862871462",
            lat=_point(mirror_grid)[0], lon=_point(mirror_grid)[1],
        )  # fmt: skip
        clock.set(at(mirror_day, 9, 20))
        case = case_actions.accept_case(actor=dispatcher, case=case, note="属道路交通安全隐患，予以立案。")
        clock.set(at(mirror_day, 9, 31))
        case = dispatch_actions.dispatch_case(
            actor=dispatcher, case=case, lead=lead, note="请现场查看，在拐角处加装凸面镜。"
        )
        clock.set(at(mirror_day, 10, 5))
        case = dispatch_actions.sign_case(actor=handler, case=case)
        clock.set(at(mirror_day, 14, 30, days=1))
        case = case_actions.comment_case(
            actor=handler, case=case, text="已到现场踏勘，凸面镜已订购，到货后安装。", public=True
        )
        clock.set(at(mirror_day, 15, 40, days=2))
        case = dispatch_actions.resolve_case(
            actor=handler, case=case,
            result="已在北渡村22组村道拐角处安装直径80厘米凸面镜一面，同时修剪了遮挡视线的树枝。",
        )  # fmt: skip
        clock.set(at(mirror_day, 8, 50, days=3))
        case = case_actions.verify_case(
            actor=cast.grid_worker(mirror_grid), case=case, ok=True,
            note="现场查看，凸面镜安装牢固，两侧来车看得清清楚楚。",
        )  # fmt: skip
        clock.set(at(mirror_day, 10, 15, days=3))
        case_actions.rate_case(
            actor=dispatcher, case=case, satisfaction=Satisfaction.SATISFIED, by_visit=True,
            comment="王女士表示镜子装好后拐弯心里踏实多了，非常满意。",
        )  # fmt: skip

    def boundary(clock: _Clock) -> None:
        town = _town_of(boundary_grid)
        dispatcher = cast.dispatcher(town)
        worker = cast.grid_worker(boundary_grid)
        clock.set(at(boundary_day, 10, 5))
        case = case_actions.report_case(
            actor=worker, channel=PATROL, text=STORY_BOUNDARY, title="花市街村4组陈、周两户承包地边界纠纷",
            category=categories["dispute"], request_type=HELP, grid=boundary_grid,
            address="石港镇花市街村4组", lat=_point(boundary_grid)[0], lon=_point(boundary_grid)[1],
        )  # fmt: skip
        clock.set(at(boundary_day, 16, 20))
        case = case_actions.escalate_case(
            actor=worker, case=case, reason="双方分歧较大，网格内调解未果，请镇里出面。"
        )
        clock.set(at(boundary_day, 9, 30, days=1))
        case = case_actions.comment_case(
            actor=dispatcher, case=case, public=True,
            text="镇综治中心、司法所同志带案入格，与村调委会一起到花市街村4组田头现场调解。",
        )  # fmt: skip
        clock.set(at(boundary_day, 16, 45, days=1))
        case = case_actions.resolve_in_grid(
            actor=worker, case=case,
            result="在镇司法所和村调委会见证下，双方对照土地确权图重新丈量，恢复界桩，签订调解协议，矛盾在网格内化解。",
        )  # fmt: skip
        clock.set(at(boundary_day, 9, 40, days=3))
        case = case_actions.verify_case(
            actor=dispatcher, case=case, ok=True, note="电话回访双方，协议已履行，界桩未再变动。"
        )
        clock.set(at(boundary_day, 10, 0, days=3))
        case_actions.close_case(actor=dispatcher, case=case, note="格内化解，双方无异议，结案。")

    def road(clock: _Clock) -> None:
        town = _town_of(road_grid)
        dispatcher = cast.dispatcher(town)
        lead = cast.route(categories["road"], road_grid).lead
        handler = cast.handler(lead)
        resident = cast.resident
        clock.set(at(road_day, 19, 40))
        case = case_actions.report_case(
            actor=resident, channel=WEB, text=STORY_ROAD, title="建设路北段路面塌陷",
            category=categories["road"], request_type=HELP, priority=Priority.URGENT, grid=road_grid,
            address="石港镇石西社区建设路北段翠竹新村门口", reporter_name=RESIDENT_NAME,
            reporter_phone=RESIDENT_PHONE, lat=_point(road_grid)[0], lon=_point(road_grid)[1],
        )  # fmt: skip
        clock.set(at(road_day, 19, 48))
        case = case_actions.accept_case(
            actor=dispatcher, case=case, priority=Priority.URGENT, note="路面塌陷，紧急件，立即派遣。"
        )
        clock.set(at(road_day, 19, 53))
        case = dispatch_actions.dispatch_case(
            actor=dispatcher, case=case, lead=lead, note="请立即设置警示并连夜抢修。"
        )
        clock.set(at(road_day, 20, 6))
        case = dispatch_actions.sign_case(actor=handler, case=case)
        clock.set(at(road_day, 20, 40))
        case = case_actions.comment_case(
            actor=handler, case=case, public=True, text="已在坑洞四周设置警示锥和警示灯，施工队正在连夜抢修。"
        )
        clock.set(at(road_day, 5, 35, days=1))
        case = dispatch_actions.resolve_case(
            actor=handler, case=case, result="连夜回填碎石、摊铺沥青，坑洞已修复，早高峰前恢复通行。"
        )
        clock.set(at(road_day, 7, 30, days=1))
        case = case_actions.verify_case(
            actor=cast.grid_worker(road_grid), case=case, ok=True, note="早班巡查，路面平整，已恢复通行。"
        )
        clock.set(at(road_day, 8, 12, days=1))
        case_actions.rate_case(
            actor=resident if resident is not None else dispatcher, case=case,
            satisfaction=Satisfaction.SATISFIED, by_visit=resident is None,
            comment="一觉醒来路就修好了，速度真快，点赞！",
        )  # fmt: skip

    # Accounts first, at their real time.
    for grid in (mirror_grid, boundary_grid, road_grid):
        cast.dispatcher(_town_of(grid))
        cast.grid_worker(grid)
    for grid in (mirror_grid, road_grid):
        cast.handler(cast.route(categories["road"], grid).lead)
    return [
        (STORY_MIRROR, at(mirror_day, 9, 12), mirror),
        (STORY_BOUNDARY, at(boundary_day, 10, 5), boundary),
        (STORY_ROAD, at(road_day, 19, 40), road),
    ]


# --- Loading ----------------------------------------------------------------------------------------------------------


@dataclass
class _Job:
    """One unit written in one transaction: a case (with its merged duplicate, if any) or an origin story."""

    start: datetime
    write: Callable[[_Clock], None]
    cases: int = 1


def reference_moment() -> datetime:
    """The moment the demo history ends: now, rounded down to the hour (local time)."""
    return timezone.localtime(timezone.now()).replace(minute=0, second=0, microsecond=0)


def demo_case_texts() -> set[str]:
    """The texts of every case the loader writes, merged duplicates included (what identifies demo cases)."""
    with pinned_calendar():
        plans = _Planner(reference_moment()).plans()
    return set(STORY_TEXTS) | {text for plan in plans for text in _texts(plan)}


def _texts(plan: _Plan) -> list[str]:
    return [plan.report.text] + ([plan.duplicate.text] if plan.duplicate is not None else [])


def load_demo_cases(*, actor: User) -> DemoCases:
    """Write the demo cases that are not there yet (see the module docstring), then sweep the deadlines.

    Needs the demo region with its departments, routing rules and accounts (``loader.load_demo``). ``actor`` is
    an administrator: it creates the accounts the cases need and runs the deadline sweep.
    """
    started = perf_counter()
    reference = reference_moment()
    result = DemoCases()
    with pinned_calendar():
        plans = _Planner(reference).plans()
        all_texts = set(STORY_TEXTS) | {text for plan in plans for text in _texts(plan)}
        existing = set(Case.objects.filter(text__in=all_texts).values_list("text", flat=True))
        jobs: list[_Job] = []
        if not existing >= all_texts:
            cast = _Cast(actor)
            for text, at, write in _stories(cast, reference):
                if text not in existing:
                    jobs.append(_Job(at, write))
            todo = [plan for plan in plans if plan.report.text not in existing]
            for plan in todo:
                cast.prepare(plan)  # accounts first, at their real time
            jobs += [_Job(plan.report_at, _writer(cast, plan), len(_texts(plan))) for plan in todo]
            jobs.sort(key=lambda job: job.start)
        for job in jobs:
            clock = _Clock(job.start, reference)
            # Demo only: the actions see the simulated clock while this one case is written (module docstring).
            with mock.patch("django.utils.timezone.now", new=clock), transaction.atomic():
                job.write(clock)
            result.created += job.cases
    if jobs:
        sweep_deadlines(actor=actor)  # colour the open cases for the real "now", as the scheduled sweep does
    statuses = list(Case.objects.filter(text__in=all_texts).values_list("status", flat=True))
    result.total = len(statuses)
    result.by_status = {status: statuses.count(status) for status in sorted(set(statuses))}
    result.seconds = perf_counter() - started
    return result


def _writer(cast: _Cast, plan: _Plan) -> Callable[[_Clock], None]:
    def write(clock: _Clock) -> None:
        _Walk(cast, plan, clock).run()

    return write
