"""Builds the online-archiving test corpus (good packages and every bad input) into a folder.

Nothing binary is committed: PDFs come from reportlab, JPEGs from Pillow, zips from
``zipfile`` (patched byte-wise where the bad input needs a header no library would write).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf_bytes(text: str = "Lantai test document") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def digests(data: bytes) -> dict[str, str]:
    return {"sm3": hashlib.new("sm3", data).hexdigest(), "sha256": hashlib.sha256(data).hexdigest()}


def ws_metadata(n: int, **over: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "fonds_code": "Z109",
        "year": 2024,
        "retention": "D30",
        "org_code": "BGS",
        "title": f"关于第{n}次工作会议的通知",
        "responsible_party": "测试立档单位办公室",
        "date": "20240305",
        "open_status": "未审核",
        "security_level": "公开",
        "page_count": 1,
    }
    meta.update(over)
    return meta


@dataclass
class ApiPackage:
    """The JSON metadata part and the file parts of a ``POST /submissions``."""

    meta: dict[str, object]
    parts: dict[str, bytes] = field(default_factory=dict)

    def multipart(self) -> dict[str, object]:
        data: dict[str, object] = {"metadata": json.dumps(self.meta, ensure_ascii=False)}
        for name, content in self.parts.items():
            upload = io.BytesIO(content)
            upload.name = name.rsplit("/", 1)[-1]
            data[name] = upload
        return data


def api_package(count: int = 2, package_id: str = "OA-2024-0001", fonds: str = "Z109") -> ApiPackage:
    items = []
    parts = {}
    for n in range(1, count + 1):
        content = pdf_bytes(f"document {n}")
        path = f"{n:04d}/正文{n}.pdf"
        parts[path] = content
        items.append(
            {
                "metadata": ws_metadata(n, fonds_code=fonds),
                "files": [{"path": path, "digests": digests(content), "format": "PDF", "size": len(content)}],
            }
        )
    return ApiPackage(
        {
            "package_id": package_id,
            "fonds_code": fonds,
            "category_code": "WS",
            "registration": {"item_count": count, "total_bytes": sum(len(b) for b in parts.values())},
            "items": items,
        },
        parts,
    )


# --- DA/T 93 -------------------------------------------------------------------------------


def dat93_folder(root: Path, count: int = 2, fonds: str = "Z109", codes: list[str] | None = None) -> Path:
    """A 件级 transfer folder: 说明文件.TXT, 目录文件.XML, one folder per 档号 with the
    content and a per-item metadata XML declaring the file with its SM3 digest."""
    root.mkdir(parents=True, exist_ok=True)
    codes = codes or [f"{fonds}-WS·2024-D30-BGS-{n:04d}" for n in range(1, count + 1)]
    (root / "说明文件.TXT").write_text(
        f"移交单位：测试立档单位\n内容描述：2024年度文书档案\n起止档号：{codes[0]}至{codes[-1]}\n"
        f"档案数量：{len(codes)}件\n软硬件环境：Linux\n全宗号：{fonds}\n",
        encoding="utf-8",
    )
    rows = []
    for n, code in enumerate(codes, 1):
        rows.append(
            f"<文件><顺序号>{n}</顺序号><档号>{code}</档号><责任者>测试立档单位办公室</责任者>"
            f"<题名>关于第{n}次工作会议的通知</题名><日期>20240305</日期><保管期限>D30</保管期限>"
            f"<密级>公开</密级><页数>1</页数><备注></备注><年度>2024</年度><机构或问题>BGS</机构或问题>"
            f"<开放状态>未审核</开放状态><全宗号>{fonds}</全宗号></文件>"
        )
        folder = root / fonds / "WS" / code
        folder.mkdir(parents=True, exist_ok=True)
        content = pdf_bytes(f"dat93 {n}")
        (folder / "正文.pdf").write_bytes(content)
        (folder / "电子档案元数据.XML").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<电子档案><档号>{code}</档号><文件><计算机文件名>正文.pdf</计算机文件名>"
            f"<计算机文件大小>{len(content)}</计算机文件大小><格式信息>PDF</格式信息>"
            f'<数字摘要 算法="SM3">{digests(content)["sm3"]}</数字摘要></文件></电子档案>',
            encoding="utf-8",
        )
    (root / "目录文件.XML").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<文件目录>' + "".join(rows) + "</文件目录>", encoding="utf-8"
    )
    return root


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(folder).as_posix())
    return target


def zip_entries(target: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(target, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return target


def gbk_zip(target: Path, entries: dict[str, bytes]) -> Path:
    """Names stored as GBK bytes without the UTF-8 flag, as Chinese Windows tools write them:
    written under ASCII placeholders of the same byte length, then patched in place."""
    placeholders = {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for i, (name, data) in enumerate(entries.items()):
            raw = name.encode("gbk")
            ph = (f"~{i:03d}" + "x" * len(raw))[: len(raw)]
            assert len(ph) == len(raw)
            placeholders[ph.encode("ascii")] = raw
            zf.writestr(ph, data)
    blob = target.read_bytes()
    for ph, raw in placeholders.items():
        assert blob.count(ph) == 2
        blob = blob.replace(ph, raw)
    target.write_bytes(blob)
    return target


def patched_zip(
    target: Path,
    name: str,
    data: bytes,
    *,
    flag_bits: int = 0,
    method: int | None = None,
    external_attr: int | None = None,
    create_system: int | None = None,
) -> Path:
    """One entry with header fields no sane writer sets (encryption flag, unknown method,
    symlink mode), patched in both the local header and the central directory."""
    info = zipfile.ZipInfo(name)
    if external_attr is not None:
        info.external_attr = external_attr
    if create_system is not None:
        info.create_system = create_system
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(info, data)
    blob = bytearray(target.read_bytes())
    local = blob.find(b"PK\x03\x04")
    central = blob.find(b"PK\x01\x02")
    if flag_bits:
        for off in (local + 6, central + 8):
            value = int.from_bytes(blob[off : off + 2], "little") | flag_bits
            blob[off : off + 2] = value.to_bytes(2, "little")
    if method is not None:
        for off in (local + 8, central + 10):
            blob[off : off + 2] = method.to_bytes(2, "little")
    target.write_bytes(bytes(blob))
    return target


def zip_bomb(target: Path, megabytes: int = 8) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb.bin", "w") as out:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                out.write(chunk)
    return target


# --- BagIt ---------------------------------------------------------------------------------


def bag_folder(
    root: Path,
    files: dict[str, bytes],
    *,
    fonds: str = "Z109",
    algorithms: tuple[str, ...] = ("sha256",),
    items: list[dict[str, object]] | None = None,
    package_id: str = "BAG-0001",
) -> Path:
    import bagit

    (root / "src").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        p = root / "src" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    bag_dir = root / "src"
    bagit.make_bag(
        str(bag_dir),
        {"External-Identifier": package_id, "Lantai-Fonds-Code": fonds, "Lantai-Category-Code": "WS"},
        checksums=list(algorithms),
    )
    if items is not None:
        (bag_dir / "metadata").mkdir(exist_ok=True)
        (bag_dir / "metadata" / "items.json").write_text(json.dumps(items, ensure_ascii=False), "utf-8")
        bag = bagit.Bag(str(bag_dir))
        bag.save(manifests=True)
    return bag_dir


# --- EEP (DA/T 48) ---------------------------------------------------------------------------


def eep_xml(count: int = 1, fonds: str = "Z109", extra_header: str = "") -> bytes:
    import base64

    entities = []
    for n in range(1, count + 1):
        content = pdf_bytes(f"eep {n}")
        entities.append(
            f"<文件实体><聚合层次>文件</聚合层次><电子文件号>EF-{n:04d}</电子文件号>"
            f"<档号><全宗号>{fonds}</全宗号><年度>2024</年度><保管期限>D30</保管期限><机构或问题>BGS</机构或问题></档号>"
            f"<内容描述><题名>封装测试文件{n}</题名><责任者>测试立档单位</责任者><日期>20240305</日期><密级>公开</密级></内容描述>"
            f"<形式特征><页数>1</页数></形式特征><权限管理><控制标识>未审核</控制标识></权限管理>"
            f'<文件数据><文档><文档标识符>D1</文档标识符><文档数据 文档数据ID="DD{n}"><编码 编码ID="E{n}">'
            f"<电子属性><格式信息>PDF</格式信息><计算机文件名>正文{n}.pdf</计算机文件名><计算机文件大小>{len(content)}</计算机文件大小></电子属性>"
            "<编码描述>base64</编码描述>"
            f'<编码数据 编码数据ID="C{n}">{base64.b64encode(content).decode()}</编码数据>'
            f"</编码></文档数据></文档></文件数据></文件实体>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + extra_header + "<电子文件封装包>"
        "<封装包格式描述>本EEP根据中华人民共和国档案行业标准DA/T 48-2009"
        "《基于XML的电子文件封装规范》生成</封装包格式描述>"
        '<版本>2009</版本><被签名对象 eep版本="2009"><封装包类型>原始型</封装包类型>'
        "<封装内容><文件实体块>"
        + "".join(entities)
        + "</文件实体块></封装内容></被签名对象></电子文件封装包>"
    ).encode("utf-8")


XXE_DOCTYPE = '<!DOCTYPE 文件目录 [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS_DOCTYPE = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)
