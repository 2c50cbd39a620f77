"""Seed data for the catalogue: categories (DA/T 13-2022), retention periods, metadata schemes
(文书, 照片, 录音/录像 for 方言建档, and a core scheme for every other category) and the default
archival-code rules. The seed migration applies these; administrators edit the rows later.

Everything here is plain data so that the seed migration, the tests and the scheme editor's
"reset to standard" all read one source.
"""

from __future__ import annotations

from typing import Any

# (code, name, English name, arrangement, uses_projects)
CATEGORIES: list[tuple[str, str, str, str, bool]] = [
    ("WS", "文书", "Administrative records", "item", False),
    ("KJ", "科技", "Science and technology records", "volume", True),
    ("KU", "会计", "Accounting records", "volume", False),
    ("RS", "人事", "Personnel records", "volume", False),
    ("ZY", "专业", "Specialised records", "volume", False),
    ("ZP", "照片", "Photographs", "item", False),
    ("LY", "录音", "Audio recordings", "item", False),
    ("LX", "录像", "Video recordings", "item", False),
    ("SW", "实物", "Objects", "item", False),
    ("SJ", "业务数据", "Business data", "item", False),
    ("YJ", "公务电子邮件", "Official e-mail", "item", False),
    ("WY", "网页信息", "Web pages", "item", False),
    ("MT", "社交媒体", "Social media", "item", False),
]

# (code, name, years, is_legacy); legacy codes are kept exactly as they were recorded.
RETENTION_PERIODS: list[tuple[str, str, int | None, bool]] = [
    ("Y", "永久", None, False),
    ("D30", "定期30年", 30, False),
    ("D10", "定期10年", 10, False),
    ("永久", "永久（旧）", None, True),
    ("长期", "长期（旧）", None, True),
    ("短期", "短期（旧）", None, True),
]

SECURITY_LEVEL_NAMES = ["公开", "内部", "秘密", "机密", "绝密"]
OPEN_STATUS_NAMES = {"open": "开放", "controlled": "控制", "unreviewed": "未审核"}

DOCUMENT_TYPES = [
    "决议",
    "决定",
    "命令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
]

# A year (年度), digits or letters for codes that go into the 档号 (no separators).
CODE_PATTERN = r"[A-Za-z0-9\u4e00-\u9fff]{1,20}"


def _f(code: str, name: str, data_type: str = "text", **kw: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"code": code, "name": name, "data_type": data_type}
    spec.update(kw)
    return spec


def core_fields(
    *,
    number_name: str = "件号",
    date_name: str = "日期",
    responsible_name: str = "责任者",
    responsible_required: bool = True,
    aliases: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The DA/T 46 / DA/T 18 core elements every scheme shares; they map to Item columns.
    Photo and audio/video schemes rename some (张号, 摄影时间, 录制者) and keep the generic
    names as aliases for Excel headers."""
    aliases = aliases or {}
    fields = [
        _f("archival_code", "档号", m_number="M8", max_length=100, help_text="留空则自动编制"),
        _f("fonds_code", "全宗号", m_number="M9", required=True, max_length=20, pattern=r"[A-Za-z0-9]{1,20}"),
        _f("year", "年度", "year", m_number="M11", required=True),
        _f(
            "retention",
            "保管期限",
            "choice",
            m_number="M12",
            required=True,
            help_text="Y、D30、D10 或 永久/长期/短期",
        ),
        _f("org_code", "机构(问题)代码", m_number="M13", max_length=20, pattern=CODE_PATTERN),
        _f("org_name", "机构(问题)", max_length=100),
        _f("number", number_name, "integer", m_number="M17", help_text="留空则自动分配"),
        _f("title", "题名", m_number="M22", required=True, max_length=1000),
        _f(
            "responsible_party",
            responsible_name,
            m_number="M32",
            required=responsible_required,
            max_length=500,
        ),
        _f("document_number", "文号", m_number="M31", max_length=100),
        _f("date", date_name, "date", m_number="M33", required=True, help_text="YYYYMMDD"),
        _f("security_level", "密级", "choice", m_number="M38", choices=SECURITY_LEVEL_NAMES),
        _f("open_status", "开放状态", "choice", required=True, choices=list(OPEN_STATUS_NAMES.values())),
        _f("page_count", "页数", "integer", m_number="M43"),
        _f("notes", "备注", m_number="M75"),
    ]
    for order, spec in enumerate(fields, start=1):
        spec["is_core"] = True
        spec["order"] = order * 10
        if spec["code"] in aliases:
            spec["aliases"] = aliases[spec["code"]]
    return fields


def _extras(fields: list[dict[str, Any]], start: int = 200) -> list[dict[str, Any]]:
    for order, spec in enumerate(fields):
        spec.setdefault("is_core", False)
        spec["order"] = start + order * 10
    return fields


WS_EXTRA = _extras(
    [
        _f("doc_type", "文种", "choice", m_number="M34", choices=DOCUMENT_TYPES),
        _f("urgency", "紧急程度", "choice", m_number="M35", choices=["特急", "加急"]),
        _f("subject_terms", "主题词", m_number="M26", max_length=200),
        _f("disclosure", "公开属性", "choice", choices=["主动公开", "依申请公开", "不予公开"]),
        _f("secrecy_period", "保密期限", m_number="M39", max_length=50),
        _f("recipients", "主送", m_number="M36", max_length=500),
        _f("copied_to", "抄送", m_number="M37", max_length=500),
        _f(
            "draft_state",
            "稿本",
            "choice",
            m_number="M45",
            choices=["正本", "副本", "定稿", "草稿", "修改稿", "试行本"],
        ),
        _f("persons", "人名", m_number="M28", max_length=200),
    ]
)

ZP_EXTRA = _extras(
    [
        _f("group_number", "组号", "integer"),
        _f("place", "地点", max_length=200),
        _f("people", "人物", max_length=500),
        _f("caption", "文字说明", max_length=2000, aliases=["背景", "背景/文字说明"]),
        _f("camera", "拍摄设备", max_length=100),
    ]
)


def _av_extra(recorder_label: str) -> list[dict[str, Any]]:
    return _extras(
        [
            _f("speaker", "发音人", max_length=100, aliases=["讲述人"]),
            _f("speaker_gender", "发音人性别", "choice", choices=["男", "女"]),
            _f("speaker_birth_year", "发音人出生年", "year"),
            _f("dialect_area", "方言区", max_length=100),
            _f("dialect_point", "方言点", max_length=100),
            _f("dialect_point_code", "方言点区划代码", max_length=12, pattern=r"\d{6}(\d{3})?(\d{3})?"),
            _f("recording_place", "录制地点", max_length=200),
            _f("duration", "时长", "duration", required=True, help_text="时:分:秒"),
            _f("survey_item", "调查条目", max_length=200),
            _f("transcription", "转写文本", help_text="国际音标与汉字"),
            _f("investigator", "调查人", max_length=100),
            _f("consent", "授权书", "choice", choices=["已签署", "未签署"]),
            _f("summary", "内容摘要", max_length=2000),
            _f("equipment", "录制设备", max_length=200, help_text=f"{recorder_label}所用设备"),
        ]
    )


SCHEMES: dict[str, dict[str, Any]] = {
    "WS": {"name": "文书类元数据方案（DA/T 46、DA/T 18 核心元素）", "fields": core_fields() + WS_EXTRA},
    "ZP": {
        "name": "照片类元数据方案（DA/T 54）",
        "fields": core_fields(
            number_name="张号",
            date_name="摄影时间",
            responsible_name="摄影者",
            aliases={"number": ["件号"], "date": ["日期"], "responsible_party": ["责任者"]},
        )
        + ZP_EXTRA,
    },
    "LY": {
        "name": "录音类元数据方案（DA/T 63，方言建档）",
        "fields": core_fields(
            date_name="录制时间",
            responsible_name="录制者",
            aliases={"date": ["日期"], "responsible_party": ["责任者"]},
        )
        + _av_extra("录制者"),
    },
    "LX": {
        "name": "录像类元数据方案（DA/T 63，方言建档）",
        "fields": core_fields(
            date_name="录制时间",
            responsible_name="摄录者",
            aliases={"date": ["日期"], "responsible_party": ["责任者", "录制者"]},
        )
        + _av_extra("摄录者"),
    },
}


def scheme_spec(category_code: str, category_name: str) -> dict[str, Any]:
    """The seeded scheme of a category; categories without a specific one get the core elements."""
    if category_code in SCHEMES:
        return SCHEMES[category_code]
    return {"name": f"{category_name}类元数据方案（核心元素）", "fields": core_fields()}


def _sep(value: str) -> dict[str, Any]:
    return {"kind": "sep", "value": value}


# DA/T 22-2015: Z109-WS·2011-Y-BGS-0001 (机构代码 optional)
DAT22_ITEM: list[dict[str, Any]] = [
    {"kind": "fonds_code"},
    _sep("-"),
    {"kind": "category_code"},
    _sep("·"),
    {"kind": "year"},
    _sep("-"),
    {"kind": "retention_code"},
    _sep("-"),
    {"kind": "org_code", "optional": True},
    _sep("-"),
    {"kind": "number", "width": 4},
]

# DA/T 13-2022: Z109-WS·2011·Y·办公室-0001, K021-ZP·2019·D30-0005
DAT13_ITEM: list[dict[str, Any]] = [
    {"kind": "fonds_code"},
    _sep("-"),
    {"kind": "category_code"},
    _sep("·"),
    {"kind": "year"},
    _sep("·"),
    {"kind": "retention_code"},
    _sep("·"),
    {"kind": "org_code", "optional": True},
    _sep("-"),
    {"kind": "number", "width": 4},
]

# 按卷: J019-KU·2017·Y-001 (案卷), J019-KU·2017·Y-001-001 (卷内文件)
DAT13_VOLUME: list[dict[str, Any]] = [
    {"kind": "fonds_code"},
    _sep("-"),
    {"kind": "category_code"},
    _sep("·"),
    {"kind": "year"},
    _sep("·"),
    {"kind": "retention_code"},
    _sep("-"),
    {"kind": "volume_number", "width": 3},
]
DAT13_VOLUME_ITEM: list[dict[str, Any]] = [*DAT13_VOLUME, _sep("-"), {"kind": "number", "width": 3}]

# 科技 by project: X032-KJ·01-003 (案卷), X032-KJ·01-003-001 (卷内文件)
KJ_VOLUME: list[dict[str, Any]] = [
    {"kind": "fonds_code"},
    _sep("-"),
    {"kind": "category_code"},
    _sep("·"),
    {"kind": "project_code"},
    _sep("-"),
    {"kind": "volume_number", "width": 3},
]
KJ_VOLUME_ITEM: list[dict[str, Any]] = [*KJ_VOLUME, _sep("-"), {"kind": "number", "width": 3}]

PRESETS: dict[str, tuple[str, list[dict[str, Any]]]] = {
    "dat22_item": ("DA/T 22-2015 件级（Z109-WS·2011-Y-BGS-0001）", DAT22_ITEM),
    "dat13_item": ("DA/T 13-2022 件级（Z109-WS·2011·Y·办公室-0001）", DAT13_ITEM),
    "dat13_volume": ("DA/T 13-2022 案卷级（J019-KU·2017·Y-001）", DAT13_VOLUME),
    "dat13_volume_item": ("DA/T 13-2022 卷内文件（J019-KU·2017·Y-001-001）", DAT13_VOLUME_ITEM),
    "project_volume": ("按项目 案卷级（X032-KJ·01-003）", KJ_VOLUME),
    "project_volume_item": ("按项目 卷内文件（X032-KJ·01-003-001）", KJ_VOLUME_ITEM),
}


def default_rules(category_code: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(level, name, components) of the default rules of a category."""
    item = DAT22_ITEM if category_code == "WS" else DAT13_ITEM
    item_name = PRESETS["dat22_item" if category_code == "WS" else "dat13_item"][0]
    volume, volume_item = (
        ("project_volume", "project_volume_item")
        if category_code == "KJ"
        else (
            "dat13_volume",
            "dat13_volume_item",
        )
    )
    return [
        ("item", f"{category_code} {item_name}", item),
        ("volume", f"{category_code} {PRESETS[volume][0]}", PRESETS[volume][1]),
        ("volume_item", f"{category_code} {PRESETS[volume_item][0]}", PRESETS[volume_item][1]),
    ]


def apply(apps: Any) -> None:
    """Insert the seed rows (idempotent: existing codes are left as administrators edited them).
    ``apps`` is the migration state registry (or ``django.apps.apps``)."""
    Category = apps.get_model("catalog", "Category")
    RetentionPeriod = apps.get_model("catalog", "RetentionPeriod")
    MetadataScheme = apps.get_model("catalog", "MetadataScheme")
    MetadataField = apps.get_model("catalog", "MetadataField")
    ArchivalCodeRule = apps.get_model("catalog", "ArchivalCodeRule")

    for order, (code, name, years, legacy) in enumerate(RETENTION_PERIODS, start=1):
        RetentionPeriod.objects.get_or_create(
            code=code, defaults={"name": name, "years": years, "is_legacy": legacy, "sort_order": order * 10}
        )
    for order, (code, name, name_en, arrangement, projects) in enumerate(CATEGORIES, start=1):
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "arrangement": arrangement,
                "uses_projects": projects,
                "sort_order": order * 10,
            },
        )
        if not MetadataScheme.objects.filter(category=category).exists():
            spec = scheme_spec(code, name)
            scheme = MetadataScheme.objects.create(
                category=category, version=1, name=spec["name"], is_current=True
            )
            MetadataField.objects.bulk_create([MetadataField(scheme=scheme, **f) for f in spec["fields"]])
        for level, rule_name, components in default_rules(code):
            ArchivalCodeRule.objects.get_or_create(
                category=category,
                level=level,
                fonds=None,
                defaults={"name": rule_name, "components": components},
            )
