"""Seed data: the DA/T 70-2018 check catalogue (reconstructed, cn-standards §4), archiving formats
(GB/T 18894-2016 practice) and one check scheme per stage and per category.

Everything here becomes editable rows; the seed migration calls ``apply(apps)``.
"""

from __future__ import annotations

from typing import Any

# (number, dimension, name, object, runner or "" for manual, blocking, purpose, method)
# Numbers follow the GD table; YJ and BC reuse the same numbers where the item exists
# (YJ-1-6 and YJ-1-8 are confirmed by vendor code to match GD).
AU, IN, US, SE = "authenticity", "integrity", "usability", "security"
PKG, ITEM, FILE = "package", "item", "file"

COMMON: list[tuple[str, str, str, str, str, bool, str, str]] = [
    (
        "1-1",
        AU,
        "固化信息有效性检测",
        FILE,
        "digest_match",
        True,
        "检测电子文件中的固化信息是否有效，确认来源真实",
        "以 SM3/SHA-256 重新计算每个电子文件的数字摘要，与发送方声明的摘要比对；未声明摘要时警告",
    ),
    (
        "1-2",
        AU,
        "元数据项数据长度检测",
        ITEM,
        "metadata_length",
        True,
        "元数据项数据长度符合元数据方案",
        "按元数据方案中各著录项的最大长度检测",
    ),
    (
        "1-3",
        AU,
        "元数据项数据类型、格式检测",
        ITEM,
        "metadata_type",
        True,
        "元数据项数据类型和格式符合元数据方案",
        "按元数据方案检测类型（日期、整数、年度等）和格式（正则表达式，如日期 YYYYMMDD）",
    ),
    (
        "1-4",
        AU,
        "设定值域的元数据项值域符合度检测",
        ITEM,
        "metadata_domain",
        True,
        "有值域的元数据项取值在值域内",
        "保管期限、密级、开放状态、文种等取值须在方案规定的值域内",
    ),
    (
        "1-5",
        AU,
        "元数据项数据值合理性检测",
        ITEM,
        "metadata_reasonable",
        True,
        "元数据项赋值合理",
        "日期不晚于检测日期且不早于参数 min_year；年度与日期年份一致；页数大于 0；"
        "档号中的年度、全宗号与著录一致",
    ),
    (
        "1-6",
        AU,
        "元数据项数据包含特殊字符检测",
        ITEM,
        "metadata_special_chars",
        True,
        "元数据项不含非法字符",
        "不得含控制字符、替换字符 U+FFFD 及参数 forbidden 列出的字符（默认 < > 和不可见格式字符）",
    ),
    (
        "1-7",
        AU,
        "档号规范性检测",
        ITEM,
        "archival_code_form",
        True,
        "档号符合档号编制规则",
        "按全宗或门类的档号规则（DA/T 22-2015、DA/T 13-2022）解析档号，并与著录项比对",
    ),
    (
        "1-8",
        AU,
        "元数据项数据重复性检测",
        ITEM,
        "metadata_duplicates",
        True,
        "关键元数据项不重复",
        "档号在信息包内及全宗已有档案中不得重复；参数 fields 可加入文号等",
    ),
    (
        "1-10",
        AU,
        "内容数据的电子属性一致性检测",
        FILE,
        "electronic_attributes",
        True,
        "内容数据的电子属性与元数据记录一致",
        "捕获计算机文件名、大小、格式、创建时间，与电子属性元数据比对",
    ),
    (
        "1-11",
        AU,
        "元数据是否关联内容数据检测",
        ITEM,
        "metadata_content_link",
        True,
        "元数据记录的存储位置与内容数据实际位置一致",
        "每个条目关联的电子文件均存在；信息包中无未关联任何条目的文件",
    ),
    (
        "1-12",
        AU,
        "信息包目录结构规范性检测",
        PKG,
        "package_structure",
        True,
        "信息包的组织结构符合规定",
        "路径为相对路径、NFC 规范化、不含 .. 与重复路径；每个条目至少有一个电子文件",
    ),
    (
        "1-14",
        AU,
        "信息包一致性检测",
        PKG,
        "package_digest",
        True,
        "接收的信息包与发送的信息包一致",
        "比对发送方声明的信息包摘要与接收后计算的摘要；未声明时警告",
    ),
    (
        "2-1",
        IN,
        "总件数相符性检测",
        PKG,
        "registration_item_count",
        True,
        "登记表登记的数量与实际相符",
        "信息包中的条目数与登记表（GB/T 18894-2016 表 A.1 / 移交登记表）登记的件数比对",
    ),
    (
        "2-2",
        IN,
        "总字节数相符性检测",
        PKG,
        "registration_total_bytes",
        True,
        "登记表登记的字节数与实际相符",
        "电子文件实际字节数之和与登记表登记的字节数比对",
    ),
    (
        "2-3",
        IN,
        "元数据项完整性检测",
        ITEM,
        "metadata_complete",
        False,
        "元数据项齐全",
        "元数据方案的核心元数据项均已著录（缺项警告）",
    ),
    (
        "2-4",
        IN,
        "元数据必填著录项目检测",
        ITEM,
        "metadata_required",
        True,
        "必填著录项不为空",
        "元数据方案中必选的著录项均有值",
    ),
    (
        "2-5",
        IN,
        "过程信息完整性检测",
        ITEM,
        "",
        True,
        "反映重要问题的文件包括主要修改过程和办理情况记录",
        "人工核对办理过程、修改过程记录",
    ),
    (
        "2-6",
        IN,
        "连续性元数据项检测",
        PKG,
        "continuous_numbering",
        True,
        "连续编号的元数据项无漏号、无重号",
        "同一全宗、年度、保管期限、机构（问题）内的件号从起始号连续，无漏号、重号",
    ),
    (
        "2-7",
        IN,
        "内容数据完整性检测",
        ITEM,
        "content_complete",
        True,
        "内容数据齐全完整",
        "每个条目有电子文件；文件非空；字节数与电子属性声明一致；无声明而缺失的文件",
    ),
    (
        "2-9",
        IN,
        "归档范围检测",
        ITEM,
        "",
        True,
        "条目在单位归档范围内",
        "对照单位归档范围和保管期限表人工核对",
    ),
    (
        "2-10",
        IN,
        "信息包元数据完整性检测",
        PKG,
        "",
        True,
        "EEP 封装元数据完整",
        "EEP 信息包对照 DA/T 48-2009 附录 C 人工核对封装元数据",
    ),
    (
        "2-11",
        IN,
        "信息包内容数据完整性检测",
        PKG,
        "package_files_complete",
        True,
        "信息包中的文件数量与记录相符",
        "清单或元数据记录的文件均存在，无未声明的多余文件，文件数与登记表一致",
    ),
    (
        "3-1",
        US,
        "信息包中元数据的可读性检测",
        ITEM,
        "metadata_readable",
        True,
        "元数据可以被正常访问",
        "元数据可解析为文本，无乱码（替换字符）、无无法解码的字节",
    ),
    (
        "3-2",
        US,
        "目标数据库中的元数据可访问性检测",
        PKG,
        "database_accessible",
        True,
        "目标数据库可访问",
        "读取目标数据库的门类与全宗记录",
    ),
    (
        "3-3",
        US,
        "内容数据格式检测",
        FILE,
        "format_allowed",
        True,
        "内容数据格式符合归档要求",
        "以文件内容（libmagic、PRONOM、OFD 规则）识别格式，须为允许的归档格式，且与扩展名一致",
    ),
    (
        "3-4",
        US,
        "内容数据的可读性检测",
        FILE,
        "readability",
        True,
        "内容数据可以被正常打开和浏览",
        "PDF 以 pikepdf 检查语法并以 PDFium 渲染首页；OFD 解析 OFD.xml、Document.xml 和页面；"
        "图像完整解码；音视频读取时长",
    ),
    (
        "3-5",
        US,
        "软硬件环境合规性检测",
        ITEM,
        "",
        False,
        "电子属性中记录的软硬件环境符合要求",
        "人工核对文档创建程序等软硬件环境信息",
    ),
    (
        "3-8",
        US,
        "信息包中包含的内容数据格式合规性检测",
        FILE,
        "encryption_compression",
        True,
        "信息包不含影响可用性的因素",
        "电子文件未加密（PDF 加密、ZIP 加密条目、Office 加密），容器内无非公开压缩算法",
    ),
    (
        "4-1",
        SE,
        "系统环境中是否安装杀毒软件检测",
        PKG,
        "antivirus_present",
        True,
        "系统环境安装了杀毒软件",
        "连接 ClamAV clamd 读取引擎与病毒库版本；未配置时为未执行",
    ),
    (
        "4-2",
        SE,
        "病毒检测",
        FILE,
        "virus_scan",
        True,
        "信息包不含计算机病毒",
        "以 ClamAV clamd 扫描每个电子文件（含压缩包内文件）",
    ),
    ("4-3", SE, "载体中多余文件检测", PKG, "", True, "载体内不含非归档文件", "离线载体：人工核对载体内容"),
    ("4-4", SE, "载体读取速度检测", PKG, "", False, "载体读取正常", "离线载体：人工检测读取情况"),
    ("4-5", SE, "载体外观检测", PKG, "", False, "载体外观完好", "离线载体：人工检查外观"),
    ("4-6", SE, "光盘合格性检测", PKG, "", True, "光盘符合 DA/T 38", "离线载体：按 DA/T 38 检测光盘"),
    (
        "4-7",
        SE,
        "过程安全性检测",
        PKG,
        "",
        True,
        "信息包在归档、移交和保存过程中安全、可控",
        "人工核对传输通道、访问控制与日志（系统审计记录可作依据）",
    ),
]

# Items that exist only at one stage, or differ there.
BC_ONLY = [
    ("3-9", US, "备份数据可恢复性检测", PKG, "", True, "备份数据可以完整恢复", "从备份恢复抽样并比对摘要"),
    ("4-8", SE, "软件系统安全性检测", PKG, "", False, "系统不存在隐含的安全漏洞", "人工或漏洞扫描工具检测"),
    (
        "4-9",
        SE,
        "载体保管环境安全性检测",
        PKG,
        "",
        False,
        "载体保管环境符合国家规定",
        "人工检查温湿度、磁场等",
    ),
]
NOT_AT = {"YJ": {"2-5", "2-9"}, "BC": {"2-5", "2-9", "1-8"}}
NAME_AT = {
    "YJ": {"4-7": "移交过程安全性检测"},
    "BC": {"4-7": "保存过程安全性检测", "1-14": "保存信息包一致性检测"},
}

# Items that apply to online packages; carrier items (4-3…4-6) are in the offline schemes only.
CARRIER = {"4-3", "4-4", "4-5", "4-6"}

# (code, name, mime types, PUIDs, extensions, outcome, note)
FORMATS: list[tuple[str, str, list[str], list[str], list[str], str, str]] = [
    (
        "PDFA",
        "PDF/A",
        ["application/pdf"],
        ["fmt/95", "fmt/354", "fmt/476", "fmt/477", "fmt/478", "fmt/479", "fmt/480", "fmt/481"],
        ["pdf"],
        "passed",
        "长期保存首选版式格式（声明 PDF/A 标识）",
    ),
    (
        "PDF",
        "PDF",
        ["application/pdf"],
        ["fmt/14", "fmt/15", "fmt/16", "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276", "fmt/1129"],
        ["pdf"],
        "passed",
        "GB/T 18894-2016 允许；建议转为 PDF/A 或 OFD",
    ),
    (
        "OFD",
        "OFD 版式文档（GB/T 33190）",
        ["application/ofd"],
        [],
        ["ofd"],
        "passed",
        "以 OFD.xml 根元素命名空间 http://www.ofdspec.org/2016 识别",
    ),
    (
        "JPEG",
        "JPEG 图像",
        ["image/jpeg"],
        ["fmt/41", "fmt/42", "fmt/43", "fmt/44", "x-fmt/398", "x-fmt/390", "x-fmt/391", "fmt/112"],
        ["jpg", "jpeg"],
        "passed",
        "",
    ),
    (
        "TIFF",
        "TIFF 图像",
        ["image/tiff"],
        [
            "fmt/353",
            "fmt/152",
            "fmt/153",
            "fmt/154",
            "fmt/155",
            "fmt/156",
            "x-fmt/387",
            "x-fmt/388",
            "x-fmt/399",
        ],
        ["tif", "tiff"],
        "passed",
        "",
    ),
    ("JP2", "JPEG 2000", ["image/jp2", "image/jpx"], ["x-fmt/392", "fmt/151"], ["jp2", "jpx"], "passed", ""),
    (
        "PNG",
        "PNG 图像",
        ["image/png"],
        ["fmt/11", "fmt/12", "fmt/13"],
        ["png"],
        "warning",
        "非 GB/T 18894 推荐的归档图像格式",
    ),
    ("MP3", "MP3 音频", ["audio/mpeg"], ["fmt/134"], ["mp3"], "passed", ""),
    (
        "WAV",
        "WAV 音频",
        ["audio/x-wav", "audio/wav", "audio/vnd.wave"],
        ["fmt/6", "fmt/141", "fmt/142", "fmt/143"],
        ["wav"],
        "passed",
        "",
    ),
    (
        "MP4",
        "MP4 音视频",
        ["video/mp4", "audio/mp4", "audio/x-m4a"],
        ["fmt/199"],
        ["mp4", "m4a"],
        "passed",
        "",
    ),
    (
        "MPEG",
        "MPEG 视频",
        ["video/mpeg", "video/mp2p", "video/MP2T"],
        ["fmt/649", "fmt/640", "x-fmt/385"],
        ["mpg", "mpeg"],
        "passed",
        "",
    ),
    (
        "AVI",
        "AVI 视频",
        ["video/x-msvideo"],
        ["fmt/5"],
        ["avi"],
        "warning",
        "GB/T 18894 列出，但不利于长期保存",
    ),
    (
        "FLV",
        "FLV 视频",
        ["video/x-flv"],
        ["x-fmt/382"],
        ["flv"],
        "warning",
        "GB/T 18894 列出，但不利于长期保存",
    ),
    ("XML", "XML", ["text/xml", "application/xml"], ["fmt/101"], ["xml"], "passed", "元数据与结构化数据"),
    ("TXT", "纯文本", ["text/plain"], ["x-fmt/111"], ["txt"], "warning", "文本格式，无版式"),
]

# Per category: which formats the 3-3 check accepts (empty: every active format).
CATEGORY_FORMATS = {
    "WS": ["PDFA", "PDF", "OFD", "XML", "JPEG", "TIFF"],
    "ZP": ["JPEG", "TIFF", "JP2", "PNG"],
    "LY": ["WAV", "MP3", "MP4", "XML"],
    "LX": ["MP4", "MPEG", "AVI", "FLV", "XML"],
}
STAGE_NAMES = {"GD": "归档", "YJ": "移交与接收", "BC": "长期保存"}


def items_for(stage: str) -> list[dict[str, Any]]:
    rows = [r for r in COMMON if r[0] not in NOT_AT.get(stage, set())]
    if stage == "BC":
        rows += BC_ONLY
    out = []
    for sort, (num, dim, name, obj, runner, blocking, purpose, method) in enumerate(rows, start=1):
        out.append(
            {
                "code": f"{stage}-{num}",
                "stage": stage,
                "dimension": dim,
                "name": NAME_AT.get(stage, {}).get(num, name),
                "object": obj,
                "automatic": bool(runner),
                "runner": runner,
                "blocking": blocking,
                "purpose": purpose,
                "method": method,
                "params": {},
                "sort": sort * 10,
            }
        )
    return out


def _scheme(
    apps: Any,
    stage: str,
    items: dict[str, Any],
    code: str,
    name: str,
    category: Any,
    codes: list[str],
    params: dict[str, Any],
) -> None:
    CheckScheme = apps.get_model("checks", "CheckScheme")
    CheckSchemeItem = apps.get_model("checks", "CheckSchemeItem")
    s, _ = CheckScheme.objects.update_or_create(
        code=code, defaults={"name": name, "stage": stage, "category": category}
    )
    for order, item_code in enumerate(codes, start=1):
        CheckSchemeItem.objects.update_or_create(
            scheme=s,
            item=items[item_code],
            defaults={"order": order * 10, "params": params.get(item_code, {})},
        )


def apply(apps: Any) -> None:
    CheckItem = apps.get_model("checks", "CheckItem")
    AllowedFormat = apps.get_model("checks", "AllowedFormat")
    Category = apps.get_model("catalog", "Category")

    for sort, (code, name, mimes, puids, exts, outcome, note) in enumerate(FORMATS, start=1):
        AllowedFormat.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "mime_types": mimes,
                "puids": puids,
                "extensions": exts,
                "outcome": outcome,
                "note": note,
                "sort": sort * 10,
            },
        )
    categories = {c.code: c for c in Category.objects.filter(code__in=list(CATEGORY_FORMATS))}
    for stage, stage_name in STAGE_NAMES.items():
        items = {}
        for spec in items_for(stage):
            code = spec.pop("code")
            items[code], _ = CheckItem.objects.update_or_create(code=code, defaults=spec)
        online = [c for c in items if c.split("-", 1)[1] not in CARRIER]

        _scheme(apps, stage, items, f"{stage}-DEFAULT", f"{stage_name}环节默认检测方案", None, online, {})
        _scheme(
            apps, stage, items, f"{stage}-OFFLINE", f"{stage_name}环节离线载体检测方案", None, list(items), {}
        )
        for cat_code, formats in CATEGORY_FORMATS.items():
            category = categories.get(cat_code)
            if category is None:
                continue
            params = {f"{stage}-3-3": {"formats": formats}}
            _scheme(
                apps,
                stage,
                items,
                f"{stage}-{cat_code}",
                f"{category.name}{stage_name}检测方案",
                category,
                online,
                params,
            )
