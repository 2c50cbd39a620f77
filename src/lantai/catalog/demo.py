"""Demo catalogue for `lantai demo`: a county archive's three fonds with over 5,000 items of
文书, 照片 and 方言录音, generated deterministically (seeded) from Chinese templates and loaded
through the Excel importer's pipeline (validation, 档号 allocation, bulk writes, audit).

The row generators are plain Python so that ``scripts/make_sample_excel.py`` can reuse them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog.models import Fonds

COUNTY = "清溪县"
SEED = 20260101

WS_HEADERS = [
    "年度",
    "保管期限",
    "机构(问题)代码",
    "机构(问题)",
    "题名",
    "责任者",
    "文号",
    "日期",
    "密级",
    "开放状态",
    "页数",
    "文种",
    "盒号",
    "备注",
]
ZP_HEADERS = [
    "年度",
    "保管期限",
    "题名",
    "摄影者",
    "摄影时间",
    "地点",
    "人物",
    "文字说明",
    "组号",
    "密级",
    "开放状态",
    "页数",
]
LY_HEADERS = [
    "年度",
    "保管期限",
    "题名",
    "录制者",
    "录制时间",
    "发音人",
    "发音人性别",
    "发音人出生年",
    "方言区",
    "方言点",
    "录制地点",
    "时长",
    "调查条目",
    "转写文本",
    "调查人",
    "授权书",
    "密级",
    "开放状态",
]

WS_SUBJECTS = [
    "做好{y}年春季森林防火工作",
    "开展农村人居环境整治",
    "加强安全生产监督管理",
    "下达{y}年度县级财政预算",
    "做好{y}年防汛抗旱工作",
    "推进义务教育均衡发展",
    "调整县人民政府领导工作分工",
    "成立县乡村振兴工作领导小组",
    "做好第七次全国人口普查工作",
    "做好冬春季传染病防控工作",
    "开展耕地保护专项整治",
    "加强城乡居民最低生活保障管理",
    "实施{y}年民生实事项目",
    "做好春节期间市场供应和价格稳定",
    "开展消防安全隐患排查整治",
    "加强饮用水水源地保护",
    "推进政务公开和政务服务",
    "做好高校毕业生就业工作",
    "开展{y}年度文明村镇创建",
    "规范行政事业单位国有资产管理",
    "做好征兵工作",
    "加强地质灾害防治",
    "推进县域商业体系建设",
    "清溪河流域综合治理",
]
WS_OFFICES = [
    ("BGS", "办公室"),
    ("MSK", "秘书科"),
    ("ZHK", "综合科"),
    ("FZS", "法制室"),
]
WS_KINDS = [
    # 文种, title pattern, weight
    ("通知", "{org}关于{s}的通知", 40),
    ("请示", "{org}关于{s}的请示", 12),
    ("报告", "{org}关于{s}情况的报告", 12),
    ("批复", "{org}关于同意{s}的批复", 8),
    ("意见", "{org}关于{s}的实施意见", 8),
    ("函", "{org}关于商请协助{s}的函", 6),
    ("纪要", "{y}年第{n}次县长办公会议纪要", 8),
]
UPPER_SENDERS = ["清江市人民政府", "清江市人民政府办公室", "清江市教育局", "清江市文化广电旅游局"]

EDU_SUBJECTS = [
    "做好{y}年中小学招生入学工作",
    "开展校园安全专项检查",
    "做好{y}年高考和中考组织工作",
    "加强中小学教师队伍建设",
    "推进学前教育普及普惠",
    "做好学生资助工作",
    "开展中小学课后服务",
    "加强学校食堂食品安全管理",
    "实施农村义务教育学生营养改善计划",
    "做好{y}年教师招聘工作",
]
PHOTO_EVENTS = [
    ("{school}{y}届毕业典礼", "{school}礼堂"),
    ("{school}高考誓师大会", "{school}操场"),
    ("{y}年全县中小学运动会开幕式", "县体育场"),
    ("县领导调研{school}校舍建设", "{school}新校区工地"),
    ("{school}新教学楼落成仪式", "{school}"),
    ("{y}年教师节优秀教师表彰大会", "县人民会堂"),
    ("全县中小学生书法比赛颁奖", "县青少年活动中心"),
    ("{school}开展防溺水安全教育", "{school}"),
]
SCHOOLS = ["清溪县第一中学", "清溪县实验小学", "河口镇中心小学", "石门乡中学", "清溪县职业中学"]
PHOTOGRAPHERS = ["陈建华", "刘晓明", "黄丽", "周伟", "吴志强"]
PEOPLE = ["王国强", "李秀英", "张伟", "刘芳", "陈静", "杨帆", "赵敏", "孙立新"]

DIALECT_AREA = "客家话"
DIALECT_POINTS = ["清溪镇", "河口镇", "石门乡", "龙湾乡", "黄坑村"]
SURVEY_ITEMS = [
    ("单字", "单字 {a:04d}—{b:04d}"),
    ("词汇", "词汇 {a:04d}—{b:04d}"),
    ("语法例句", "语法例句 {a:03d}—{b:03d}"),
    ("长篇语料", "长篇语料《北风与太阳》"),
    ("口头文化", "口头文化：山歌《{song}》"),
    ("口头文化", "口头文化：民间故事《{story}》"),
]
SONGS = ["十二月歌", "摇篮曲", "采茶歌", "送郎歌"]
STORIES = ["牛郎织女", "清溪河的传说", "石门仙洞"]
SPEAKERS = [
    ("钟桂英", "女", 1948),
    ("曾德明", "男", 1952),
    ("罗振华", "男", 1945),
    ("邱秀兰", "女", 1956),
    ("温国平", "男", 1950),
    ("巫春梅", "女", 1961),
]
TRANSCRIPTION = "北风同日头在该位争论哪个个本事大 [pɛt̚ fuŋ tʰuŋ ȵit̚ tʰɛu]"


@dataclass(frozen=True)
class DemoFonds:
    code: str
    name: str
    institution_code: str
    start_year: int
    batches: tuple[tuple[str, int], ...]  # (category code, item count)


DEMO_FONDS = [
    DemoFonds("Z001", "清溪县人民政府办公室", "QXZF", 1995, (("WS", 2600),)),
    DemoFonds("Z002", "清溪县教育局", "QXJY", 1995, (("WS", 1200), ("ZP", 600))),
    DemoFonds("Z003", "清溪县文化广电旅游局", "QXWL", 2015, (("WS", 300), ("LY", 420))),
]
DOC_PREFIX = {"Z001": ("清政办", "清政发"), "Z002": ("清教", "清教发"), "Z003": ("清文旅", "清文旅发")}


def _date_in(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365 if year % 4 else 366))


def _security(rng: random.Random) -> str:
    return rng.choices(["公开", "内部", "秘密"], weights=[76, 21, 3])[0]


def _open_status(rng: random.Random, year: int) -> str:
    if year <= 1999:  # past the 25-year rule: mostly opened by now
        return rng.choices(["开放", "控制"], weights=[85, 15])[0]
    return rng.choices(["开放", "控制", "未审核"], weights=[25, 15, 60])[0]


def _retention(rng: random.Random) -> str:
    return rng.choices(["Y", "D30", "D10"], weights=[40, 35, 25])[0]


def ws_rows(
    fonds_code: str, org_name: str, count: int, seed: int, years: tuple[int, int]
) -> list[list[object]]:
    """文书 rows in the column order of ``WS_HEADERS``, sorted as archived (year, class, date)."""
    rng = random.Random(seed)
    subjects = EDU_SUBJECTS + WS_SUBJECTS[:8] if fonds_code == "Z002" else WS_SUBJECTS
    kinds = [k for k in WS_KINDS if fonds_code == "Z001" or k[0] != "纪要"]
    prefix, prefix_issued = DOC_PREFIX.get(fonds_code, ("清政办", "清政发"))
    numbers: dict[tuple[str, int], int] = {}
    rows: list[tuple[tuple[object, ...], list[object]]] = []
    for _ in range(count):
        year = rng.randint(*years)
        kind, pattern, _w = rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        subject = rng.choice(subjects).format(y=year)
        incoming = kind in ("通知", "批复") and rng.random() < 0.25
        sender = rng.choice(UPPER_SENDERS) if incoming else f"{COUNTY}{org_name.removeprefix(COUNTY)}"
        meeting = numbers.get(("meeting", year), 0) + 1
        numbers[("meeting", year)] = meeting
        title = pattern.format(org=sender, s=subject, y=year, n=meeting)
        if incoming:
            doc_number = f"清江{rng.choice(['政办', '教', '文旅'])}〔{year}〕{rng.randint(1, 180)}号"
        elif kind == "纪要":
            doc_number = f"清政纪〔{year}〕{meeting}号"
        else:
            key = (prefix, year)
            numbers[key] = numbers.get(key, 0) + rng.randint(1, 3)
            doc_number = f"{prefix_issued if kind == '意见' else prefix}〔{year}〕{numbers[key]}号"
        office_code, office = rng.choice(WS_OFFICES[:2] if fonds_code != "Z001" else WS_OFFICES)
        retention = _retention(rng)
        day = _date_in(rng, year)
        row: list[object] = [
            year,
            retention,
            office_code,
            office,
            title,
            sender,
            doc_number,
            day.strftime("%Y%m%d"),
            _security(rng),
            _open_status(rng, year),
            rng.randint(1, 24),
            kind,
            "",
            "",
        ]
        rows.append(((year, retention, office_code, day), row))
    rows.sort(key=lambda r: r[0])  # type: ignore[arg-type, return-value]
    return [r for _k, r in rows]


def zp_rows(count: int, seed: int, years: tuple[int, int]) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[tuple[tuple[object, ...], list[object]]] = []
    group = 0
    while len(rows) < count:
        year = rng.randint(*years)
        school = rng.choice(SCHOOLS)
        event, place = rng.choice(PHOTO_EVENTS)
        event, place = event.format(school=school, y=year), place.format(school=school)
        day = _date_in(rng, year)
        group += 1
        photographer = rng.choice(PHOTOGRAPHERS)
        retention = rng.choice(["Y", "D30"])
        for shot in range(1, rng.randint(3, 8) + 1):
            if len(rows) >= count:
                break
            people = "、".join(rng.sample(PEOPLE, rng.randint(1, 3)))
            title = f"{event}（{shot}）"
            caption = f"{day.year}年{day.month}月{day.day}日，{people}等在{place}参加{event}。"
            row: list[object] = [
                year,
                retention,
                title,
                photographer,
                day.strftime("%Y%m%d"),
                place,
                people,
                caption,
                group,
                "公开",
                _open_status(rng, year),
                1,
            ]
            rows.append(((year, retention, day, group, shot), row))
    rows.sort(key=lambda r: r[0])  # type: ignore[arg-type, return-value]
    return [r for _k, r in rows]


def ly_rows(count: int, seed: int, years: tuple[int, int]) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[tuple[tuple[object, ...], list[object]]] = []
    for index in range(count):
        year = rng.randint(*years)
        point = rng.choice(DIALECT_POINTS)
        speaker, gender, born = rng.choice(SPEAKERS)
        kind, item = rng.choice(SURVEY_ITEMS)
        start = rng.randrange(1, 900) if kind != "语法例句" else rng.randrange(1, 50)
        item = item.format(a=start, b=start + 99, song=rng.choice(SONGS), story=rng.choice(STORIES))
        title = f"{COUNTY}{point}{DIALECT_AREA}{item}（发音人：{speaker}）"
        seconds = rng.randint(90, 1800)
        day = _date_in(rng, year)
        row: list[object] = [
            year,
            "Y",
            title,
            "清溪县文化广电旅游局",
            day.strftime("%Y%m%d"),
            speaker,
            gender,
            born,
            DIALECT_AREA,
            point,
            f"{COUNTY}{point}文化站录音室",
            f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
            kind,
            TRANSCRIPTION if kind == "长篇语料" else "",
            rng.choice(["曾思远", "林雅琴"]),
            "已签署",
            "公开",
            _open_status(rng, year),
        ]
        rows.append(((year, day, index), row))
    rows.sort(key=lambda r: r[0])  # type: ignore[arg-type, return-value]
    return [r for _k, r in rows]


def rows_for(fonds: DemoFonds, category: str, count: int) -> tuple[list[str], list[list[object]]]:
    seed = SEED + sum(ord(c) for c in fonds.code + category)
    years = (fonds.start_year, 2024)
    if category == "WS":
        return WS_HEADERS, ws_rows(fonds.code, fonds.name, count, seed, years)
    if category == "ZP":
        return ZP_HEADERS, zp_rows(count, seed, (2005, 2024))
    if category == "LY":
        return LY_HEADERS, ly_rows(count, seed, years)
    raise KeyError(category)


def load() -> None:
    """Create the three fonds and import their items (skipped when the fonds already exist)."""
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.catalog import importing
    from lantai.catalog.models import Category, Fonds

    actor = Actor.system("demo")
    for spec in DEMO_FONDS:
        if Fonds.objects.filter(code=spec.code).exists():
            continue
        institution = Institution.objects.get(code=spec.institution_code)
        fonds = _create_fonds(actor, spec, institution)
        for category_code, count in spec.batches:
            headers, rows = rows_for(spec, category_code, count)
            importing.run_import(
                actor,
                fonds=fonds,
                category=Category.objects.get(code=category_code),
                table=importing.RowsTable(headers, rows),
                file_name=f"演示数据-{spec.name}-{category_code}.xlsx",
            )


def _create_fonds(actor: Actor, spec: DemoFonds, institution: Institution) -> Fonds:
    from lantai.catalog import services

    return services.create_fonds(
        actor,
        code=spec.code,
        name=spec.name,
        institution=institution,
        start_year=spec.start_year,
        history=f"{spec.name}，{spec.start_year}年起档案进馆。",
    )
