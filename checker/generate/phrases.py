"""Problem descriptions of the sample round, written the way inspectors note them (问题描述).

A standard gets its topics from keywords in its text (停放 → parking, 小广告 → small ads, …). A topic
has note templates and, per site profile, how much more often than usual its problems are found there
(markets' hygiene and stall order, parking on main roads, dirty back lanes and small ads are the worst).
In a template ``{c}`` is the number of cases, ``{n}`` an independent count (vehicles, people); a
leading ``^`` means the note takes no place prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FALLBACK", "TOPICS", "Template", "Topic", "topics_for"]


@dataclass(frozen=True)
class Template:
    """A note split around its number: ``head`` + number + ``tail``; ``count`` is "c", "n" or ""."""

    head: str
    tail: str
    count: str
    placed: bool  # prefixed with the place on the site

    @classmethod
    def parse(cls, text: str) -> Template:
        placed = not text.startswith("^")
        text = text.lstrip("^")
        for count in ("c", "n"):
            mark = "{" + count + "}"
            if mark in text:
                head, tail = text.split(mark, 1)
                return cls(head, tail, count, placed)
        return cls(text, "", "", placed)


@dataclass(frozen=True)
class Topic:
    key: str
    keywords: tuple[str, ...]
    templates: tuple[Template, ...]
    worse_at: dict[str, float]  # profile key → multiplier of the base problem rate


def _topic(key: str, keywords: str, notes: tuple[str, ...], **worse_at: float) -> Topic:
    return Topic(key, tuple(keywords.split()), tuple(Template.parse(n) for n in notes), worse_at)


# Priority order: a standard's topics are the first three that match its text.
TOPICS: tuple[Topic, ...] = (
    _topic("small_ads", "小广告 乱贴 乱涂 乱画 涂写 乱刻 牛皮癣",
           ("电线杆上张贴小广告{c}处", "墙面有乱涂乱画{c}处", "配电箱上粘贴办证小广告{c}处",
            "楼道内张贴开锁、疏通小广告{c}处", "公交站牌上有小广告{c}处"),
           lane=3.0, residential=2.4, fringe=2.6, road=1.8, bus_stop=2.0, community=1.6),
    _topic("parking", "停放 停车 乱停 共享单车",
           ("电动车乱停放约{n}辆", "机动车占用人行道停放{n}辆", "共享单车无序停放约{n}辆",
            "非机动车未在划线区域内停放{n}辆", "车辆占用盲道停放{n}辆"),
           road=2.6, market=1.8, residential=1.5, station=1.6, school_surround=1.6, mall=1.4, hospital=1.4,
           intersection=1.5),
    _topic("stalls", "占道 摊 划行归市 跨门 出店 流动",
           ("流动摊贩占道经营{c}处", "店外摆放商品超出门前线{c}处", "摊位超出划定区域经营{c}处",
            "水果摊占用消防通道", "早点摊占用人行道经营{c}处", "蔬菜、水产未按划行归市要求摆放，混杂经营{c}处"),
           market=2.8, road=1.8, lane=1.8, fringe=2.2, school_surround=1.4),
    _topic("traffic", "闯红灯 乱穿 斑马线 礼让 逆行 头盔 交通秩序 交通违法",
           ("5分钟内观察到行人闯红灯{c}人次", "电动车逆向行驶{c}辆次", "机动车未礼让斑马线行人{c}次",
            "电动车驾乘人员未戴头盔{c}人"),
           intersection=2.4, school_surround=1.3, road=1.4),
    _topic("toilet", "卫生间 厕所 公厕",
           ("男厕有明显异味，地面湿滑", "洗手液缺失、水龙头损坏{c}处", "蹲位隔板门锁损坏{c}处",
            "^保洁记录未及时填写"),
           toilet=1.6, market=1.5, station=1.3),
    _topic("pets", "犬 遛狗 宠物 粪便",
           ("遛犬未拴绳{c}起", "草坪上有犬只粪便未清理{c}处", "发现流浪犬{c}只"), residential=1.5, park=1.5),
    _topic("clutter", "乱堆乱放 乱搭乱建 违章搭建 地锁 线缆 乱拉乱挂 晾晒 堆放杂物",
           ("楼道堆放杂物{c}处", "私设地锁{c}个", "空中线缆乱拉乱挂{c}处", "违章搭建彩钢棚{c}处",
            "沿街私拉晾晒衣物{c}处"),
           lane=2.4, fringe=2.6, residential=1.6, road=1.3),
    _topic("touts", "揽客 拉客 黑车 强买强卖",
           ("有黑车揽客{c}起", "有人强行拉客{c}起"), station=2.0, scenic=1.5),
    _topic("civility_tips", "光盘 公筷 小份菜",
           ("^未张贴“光盘行动”“公筷公勺”提示", "^未提供小份菜、半份菜"), eatery=1.4),
    _topic("conventions", "居民公约 村规民约",
           ("^居民公约未上墙公示", "^村规民约内容多年未更新"), villages=1.4),
    _topic("books", "盗版 非法出版物",
           ("^发现疑似盗版图书{c}种", "^未设置阅读区"),),
    _topic("smoking", "吸烟 禁烟 控烟",
           ("室内有人吸烟{c}人", "未张贴禁烟标识", "地面有烟头{c}处"), netcafe=2.6, eatery=1.5, hotel=1.3),
    _topic("minors", "未成年人 禁入 三无 烟酒 不健康读物",
           ("未悬挂未成年人禁入标识", "发现疑似未成年人上网{c}人", "小卖部销售三无食品{c}种",
            "^向未成年人销售烟酒被当场发现"),
           netcafe=1.8, school_surround=1.3),
    _topic("waste_sorting", "分类",
           ("垃圾未分类投放{c}处", "分类垃圾桶标识缺失{c}处", "^分类投放点无人指导，混投现象明显"),
           residential=1.6, community=1.3, market=1.3),
    _topic("accessible", "无障碍 盲道 轮椅 坡道",
           ("盲道被占用或中断{c}处", "无障碍坡道破损", "^无障碍卫生间被挪作杂物间", "未设置无障碍通道"),
           road=1.3),
    _topic("fire", "消防 灭火器 安全出口 飞线 充电",
           ("灭火器过期{c}个", "消防通道被杂物堵塞{c}处", "安全出口指示灯不亮{c}处",
            "电动车违规充电、飞线充电{c}处"),
           residential=1.6, fringe=1.8, netcafe=1.3),
    _topic("construction", "围挡 扬尘 冲洗 渣土 裸土 工地",
           ("围挡破损{c}处", "裸土未覆盖{c}处", "^出入口车辆未冲洗，带泥上路", "围挡公益广告覆盖不足"),
           construction=1.8),
    _topic("water", "河道 水体 水面 排口 河湖",
           ("河面有漂浮物{c}处", "岸边有垃圾堆放{c}处", "水体有异味、颜色发黑"), river=1.8),
    _topic("greening", "绿化 绿地 树木 花草 黄土裸露",
           ("绿地被踩踏裸露{c}处", "绿化带内有枯死树木{c}株", "绿化带被毁种菜{c}处"), fringe=1.6, lane=1.3),
    _topic("trade", "公平秤 诚信 明码标价 价格 证照 健康证 亮证",
           ("^公平秤未设置或未校准", "^{c}种商品未明码标价", "^{c}名从业人员未持健康证", "营业执照未亮照经营"),
           market=2.0, eatery=1.5),
    _topic("queue", "排队 等候 分流 插队",
           ("^高峰期无人引导分流，排队约{n}人", "^群众等候时间超过20分钟", "排队秩序混乱，有插队现象"),
           hospital=1.5, station=1.4, window=1.3),
    _topic("behaviour", "吐痰 乞讨 强讨 醉酒 宠物 喧哗 不文明 文明行为",
           ("有人随地吐痰{c}人次", "发现乞讨人员{c}名", "遛狗未牵绳{c}起", "有人大声喧哗、乱扔垃圾{c}人次"),
           park=1.5, station=1.5, road=1.2),
    _topic("publicity", "公益广告 宣传 核心价值观 标语 景观小品 善行义举 榜",
           ("公益广告数量不足，仅见{n}处", "公益广告褪色、破损{c}处", "^核心价值观宣传内容缺失",
            "宣传栏内容未及时更新，仍为去年内容", "公益广告被遮挡{c}处"),
           lane=1.3, fringe=1.5, construction=1.4, market=1.3),
    _topic("service", "志愿服务站 服务站 值守 服务记录 活动记录 开放时间 人员 台账 辅导记录",
           ("^志愿服务站无人值守", "^服务记录不完整，近两个月无记录", "^开放时间未公示", "^活动记录缺失{c}次"),
           practice=1.4, community=1.3),
    _topic("signage", "标识 公示 指示 挂牌 标牌",
           ("^未公示服务事项和投诉电话", "导向标识缺失{c}处", "标识牌破损、信息过时{c}处"), window=1.2),
    _topic("facilities", "设施 破损 路面 井盖 路灯 照明 坑洼 完好 座椅",
           ("人行道地砖松动破损{c}处", "路灯不亮{c}盏", "井盖缺失或破损{c}处", "路面坑洼不平{c}处",
            "座椅损坏{c}处"),
           lane=1.9, fringe=1.9, park=1.3, villages=1.5),
    _topic("hygiene", "卫生 垃圾 保洁 清洁 整洁 积水 异味 污 干净 杂物",
           ("地面有积水、菜叶未及时清理", "垃圾桶满溢，周边散落垃圾{c}处", "路面有烟头、纸屑等垃圾{c}处",
            "绿化带内有白色垃圾{c}处", "墙角堆放杂物、建筑垃圾{c}处", "水池边有油污，地面湿滑"),
           market=2.6, lane=2.6, fringe=2.6, toilet=1.8, river=1.6, construction=1.5, eatery=1.7,
           school=0.5, hospital=0.7, hotel=0.7),
)  # fmt: skip
FALLBACK = _topic("other", "", ("存在不符合要求的问题{c}处", "^现场检查未达到标准要求"))
MAX_TOPICS = 3


def topics_for(text: str) -> tuple[Topic, ...]:
    """The topics of a standard's text, in priority order (at most three); the fallback when none matches."""
    found = tuple(t for t in TOPICS if any(k in text for k in t.keywords))[:MAX_TOPICS]
    return found or (FALLBACK,)
