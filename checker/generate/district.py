"""The fictional district of the sample round (滨江区): streets, kinds of site, names, inspectors.

A pack's site types are matched to a :class:`Profile` by keywords in their names and aliases, so the
generator works on any pack; an unknown type gets the generic profile. A profile says how common the
type is (``weight``), how often its inspections find problems (``base_rate``), how its sites are named,
where on a site a problem is noted (``places``), and whether a sub-district team (街道) or the
responsible department inspects it.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.handbook.model import SiteType

__all__ = [
    "DISTRICT",
    "INSPECTORS",
    "PLACES",
    "PROFILES",
    "ROADS",
    "STREETS",
    "Profile",
    "profile_for",
]

DISTRICT = "滨江区"
STREETS = (
    "城东街道",
    "城西街道",
    "江南街道",
    "江北街道",
    "滨湖街道",
    "新华街道",
    "望江街道",
    "长安街道",
    "临江街道",
    "春晖街道",
)
# Place names for sites, and road names (addresses, roads, lanes, bus stops).
PLACES = (
    "幸福", "和平", "春晖", "锦绣", "东湖", "翠苑", "金桥", "阳光", "丽景", "桂园",
    "清泉", "紫荆", "明珠", "凤凰", "文昌", "柳岸", "梧桐", "银杏", "星河", "南苑",
    "北辰", "西湖", "青石", "玉泉", "华府", "海棠", "兰亭", "枫林", "康乐", "安居",
)  # fmt: skip
ROADS = (
    "人民路", "解放路", "建设路", "中山路", "文化路", "新华路", "长江路", "滨江大道", "望江路", "东风路",
    "胜利路", "青年路", "迎宾大道", "学府路", "临江路", "春江路", "朝阳路", "工业路", "金沙路", "江南大道",
)  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "建华", "海燕", "志强", "晓东", "雪梅", "国庆", "红梅", "春华", "文斌", "小燕", "德明",
)  # fmt: skip
INSPECTORS = tuple(s + g for g in _GIVEN for s in _SURNAMES)


@dataclass(frozen=True)
class Profile:
    """How sites of one kind look in the sample district."""

    key: str
    keywords: tuple[str, ...]
    weight: float  # relative number of sites
    base_rate: float  # chance that one standard checked at one site finds a problem
    names: tuple[str, ...]  # name patterns: {p} a place, {r} a road, {s} the street, {n} a number
    places: tuple[str, ...]  # where on the site a problem is noted
    street_team: bool = False  # inspected by the sub-district's own team rather than a department


_P = Profile
# Order matters: the first profile with a keyword in the type's name (or an alias) wins.
PROFILES: tuple[Profile, ...] = (
    _P("street_office", ("街道办事处", "街道办"), 1.0, 0.05, ("{s}办事处",),
       ("便民服务大厅", "公共法律服务窗口", "办事处大门", "宣传栏处"), True),
    _P("culture_station", ("文化站",), 1.0, 0.07, ("{s}综合文化站",),
       ("多功能活动室", "图书阅览室", "文化站门口", "公示栏"), True),
    _P("culture_centre", ("文化服务中心", "文化中心", "文化活动室"), 3.0, 0.07, ("{p}社区综合文化服务中心",),
       ("活动室", "阅览室", "中心门口", "公示栏"), True),
    _P("practice", ("文明实践",), 2.0, 0.06, ("{p}社区新时代文明实践站",),
       ("实践站门口", "活动室", "公示栏", "志愿服务台"), True),
    _P("villages", ("建成区外", "行政村", "乡镇"), 1.5, 0.12, ("{p}村", "{p}镇"),
       ("村委会门口", "村内主路", "文化广场", "村口"), True),
    _P("fringe", ("城乡结合部", "城中村", "城郊"), 1.5, 0.20, ("{p}城中村", "{p}片区"),
       ("村口", "出租屋集中区", "临时菜市", "主路两侧"), True),
    _P("residential", ("小区",), 14.0, 0.11, ("{p}花园", "{p}家园", "{p}小区", "{p}新村", "{p}苑"),
       ("2号楼单元门口", "小区南门", "地下车库入口", "5号楼楼道内", "中心绿地", "垃圾分类亭旁", "小区北门", "8号楼下"),
       True),
    _P("community", ("社区", "居委会"), 7.0, 0.08, ("{p}社区",),
       ("社区服务大厅", "社区门口", "文化活动室", "宣传栏处", "社区小广场"), True),
    _P("lane", ("背街", "小巷", "街巷"), 9.0, 0.20, ("{p}巷", "{p}里", "{r}{n}弄"),
       ("巷口", "巷内中段", "居民楼下", "转角处", "垃圾收集点旁", "巷尾"), True),
    _P("intersection", ("路口",), 3.0, 0.14, ("{r}与{r2}交叉口",),
       ("东北角", "西南角", "斑马线处", "非机动车等候区")),
    _P("road", ("干道", "商业大街", "商业街", "道路"), 6.0, 0.16, ("{r}", "{p}商业街"),
       ("北侧人行道", "南侧人行道", "公交站台附近", "沿街商铺门前", "非机动车道", "过街天桥下", "路段中段")),
    _P("market", ("市场",), 2.0, 0.24, ("{p}农贸市场", "{p}菜市场"),
       ("东门入口处", "西侧出入口", "3号摊位区域", "水产区", "蔬菜区", "熟食区", "市场外围人行道", "禽类区")),
    _P("hotel", ("宾馆", "酒店", "酒楼"), 2.0, 0.06, ("{p}宾馆", "{p}大酒店", "{p}商务酒店"),
       ("大堂", "前台", "客房走廊", "停车场")),
    _P("eatery", ("餐", "饭馆", "小吃"), 9.0, 0.12,
       ("{p}面馆", "{p}小吃店", "{p}饺子馆", "{p}快餐店", "{p}米粉店", "{p}烧烤店"),
       ("后厨", "店门口", "就餐区", "收银台", "店外人行道")),
    _P("mall", ("商场", "超市", "购物"), 2.5, 0.08, ("{p}购物中心", "{p}超市"),
       ("一楼入口", "地下停车场", "收银区", "扶梯旁", "商场外广场")),
    _P("bus_stop", ("公交站", "候车"), 4.0, 0.12, ("{r}公交站",), ("候车亭", "站牌处", "站台")),
    _P("bus", ("公交",), 3.0, 0.09, ("{n}路公交车",), ("车厢内", "前门", "后门", "车身")),
    _P("station", ("车站", "火车站", "客运站", "高铁站"), 0.3, 0.10, ("滨江站", "滨江汽车客运站", "滨江南站"),
       ("进站口", "候车厅", "出站口", "站前广场", "售票厅")),
    _P("toilet", ("卫生间", "厕所", "公厕"), 3.0, 0.14, ("{r}公厕", "{p}公园公厕"),
       ("男厕", "女厕", "第三卫生间", "洗手台", "入口处")),
    _P("park", ("公园", "广场", "游园"), 2.5, 0.12, ("{p}公园", "{p}广场"),
       ("公园东门", "健身器材区", "湖边步道", "儿童游乐区", "广场中央")),
    _P("scenic", ("景区", "景点"), 0.6, 0.09, ("{p}湖景区", "{p}古街景区"), ("游客中心", "景区入口", "观景台", "停车场")),
    _P("culture", ("文化设施", "图书馆", "文化馆", "博物馆", "书店", "电影", "影城"), 1.2, 0.05,
       ("滨江区图书馆", "{p}书店", "{p}影城", "滨江区文化馆"), ("大厅", "入口处", "服务台", "阅览区")),
    _P("window", ("窗口", "政务服务", "营业厅"), 2.0, 0.06, ("{p}便民服务中心", "{p}供电营业厅", "{p}银行网点"),
       ("办事大厅", "取号区", "服务窗口", "等候区")),
    _P("construction", ("工地",), 2.0, 0.16, ("{p}项目工地", "{r}改造工程工地"),
       ("工地东侧围挡", "车辆出入口", "工地大门", "生活区")),
    _P("river", ("河",), 1.0, 0.12, ("{p}河", "{p}浦"), ("河道北岸", "桥下", "排水口附近", "亲水平台")),
    _P("school_surround", ("学校周边", "校园周边"), 2.5, 0.10, ("{p}小学周边", "{p}中学周边"),
       ("校门口", "校门东侧", "放学接送区", "校园围墙外")),
    _P("tutoring", ("培训",), 1.2, 0.07, ("{p}教育培训中心", "{p}艺术培训学校"), ("前台", "教室", "走廊", "门口")),
    _P("school", ("学校", "校内", "校园", "幼儿园"), 3.0, 0.04, ("{p}小学", "{p}中学", "{p}幼儿园"),
       ("教学楼走廊", "操场边", "校门内侧", "食堂")),
    _P("youth", ("未成年人", "心理", "少年宫"), 0.5, 0.05, ("{s}未成年人心理健康辅导站",),
       ("辅导室", "门口", "公示栏")),
    _P("netcafe", ("网吧", "网咖", "上网"), 1.0, 0.11, ("{p}网咖", "{p}网吧"), ("上网区", "吧台", "包间", "门口")),
    _P("hospital", ("医院", "卫生服务中心", "医疗"), 1.0, 0.05, ("滨江区人民医院", "滨江区中医院", "{p}社区卫生服务中心"),
       ("门诊大厅", "挂号收费处", "住院部门口", "停车场", "急诊入口")),
)  # fmt: skip
GENERIC = Profile("generic", (), 1.0, 0.10, ("{p}{t}",), ("入口处", "内部", "周边", "东侧", "西侧"))


def profile_for(site_type: SiteType) -> Profile:
    """The profile whose keywords match the type's name first, then its aliases; else the generic one."""
    for text in (site_type.name, *site_type.aliases):
        for profile in PROFILES:
            if any(k in text for k in profile.keywords):
                return profile
    return GENERIC
