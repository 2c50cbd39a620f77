"""Reading what was received into one shape: items with metadata, declared files, digests.

One reader per package form — the API's JSON, a DA/T 93 件级 transfer folder, an EEP
(DA/T 48) XML, a BagIt bag. Readers only read staged bytes and declarations; structural
problems raise ``IngestError`` subclasses (refusal), content problems (missing, extra or
altered files, bad metadata) are left for the four-property checks to report.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lantai.core.hashing import SUPPORTED_ALGORITHMS
from lantai.core.i18n import nfc
from lantai.ingest import xmlsafe
from lantai.ingest.errors import BadDigest, BadMetadataJson, BagInvalid, UnparseablePackage
from lantai.ingest.staging import StagedFile, Staging

# Chinese element names used by DA/T 93 目录文件, DA/T 48 EEP and per-item metadata XML,
# mapped to the catalogue's field codes. Unknown names are kept as they are (the scheme's
# header map resolves extra fields at acceptance).
LABEL_CODES = {
    "档号": "archival_code",
    "全宗号": "fonds_code",
    "年度": "year",
    "保管期限": "retention",
    "机构或问题": "org_code",
    "机构(问题)代码": "org_code",
    "机构（问题）代码": "org_code",
    "件号": "number",
    "室编件号": "number",
    "题名": "title",
    "责任者": "responsible_party",
    "文号": "document_number",
    "文件编号": "document_number",
    "日期": "date",
    "形成日期": "date",
    "密级": "security_level",
    "开放状态": "open_status",
    "页数": "page_count",
    "备注": "notes",
    "附注": "notes",
    "控制标识": "open_status",  # DA/T 48 权限管理/控制标识: 开放 / 控制
}
_HEX = re.compile(r"^[0-9a-f]+$")
_HEX_LEN = {"sm3": 64, "sha256": 64, "sha512": 128, "md5": 32, "sha1": 40}


@dataclass
class FileDecl:
    path: str
    declared: dict[str, str] = field(default_factory=dict)
    declared_format: str = ""
    declared_size: int | None = None
    declared_created: str = ""


@dataclass
class ParsedItem:
    metadata: dict[str, object]
    paths: list[str]


@dataclass
class ParsedPackage:
    kind: str
    package_id: str
    fonds_code: str
    category_code: str
    items: list[ParsedItem]
    files: dict[str, StagedFile]  # every present file by path
    declarations: dict[str, FileDecl]  # every declared file by path
    registration: dict[str, object] = field(default_factory=dict)
    package_declared: dict[str, str] = field(default_factory=dict)
    package_computed: dict[str, str] = field(default_factory=dict)
    structural: set[str] = field(default_factory=set)  # paths that are package structure, not payload
    strict_extra: bool = True  # files nobody declared are "extra"
    notes: dict[str, object] = field(default_factory=dict)

    def missing(self) -> list[str]:
        return sorted(p for p in self.declarations if p not in self.files)

    def extra(self) -> list[str]:
        if not self.strict_extra:
            return []
        return sorted(p for p in self.files if p not in self.declarations and p not in self.structural)


def clean_digests(raw: object, where: str) -> dict[str, str]:
    """Declared digests as ``{algorithm: lowercase hex}``; malformed values are refused."""
    if raw in (None, "", {}):
        return {}
    if not isinstance(raw, dict):
        raise BadMetadataJson(reason=f"{where}: digests must be an object")
    out = {}
    for alg, value in raw.items():
        name = str(alg).lower().replace("-", "")
        hexvalue = str(value).strip().lower()
        if name not in SUPPORTED_ALGORITHMS:
            raise BadDigest(algorithm=str(alg), value=hexvalue[:80])
        if len(hexvalue) != _HEX_LEN[name] or not _HEX.match(hexvalue):
            raise BadDigest(algorithm=name, value=hexvalue[:80])
        out[name] = hexvalue
    return out


def map_labels(values: dict[str, str]) -> dict[str, object]:
    return {LABEL_CODES.get(k, k): v for k, v in values.items()}


# --- API: JSON metadata + multipart files -------------------------------------------------


def read_api(meta: dict[str, Any], files: dict[str, StagedFile]) -> ParsedPackage:
    """``meta``: {package_id, fonds_code, category_code, registration?, package_digests?,
    items: [{metadata: {...}, files: [{path, part?, digests?, format?, size?, created?}]}]}.
    ``files`` are keyed by multipart part name."""
    if not isinstance(meta, dict):
        raise BadMetadataJson(reason="top level must be an object")
    for key in ("package_id", "fonds_code", "category_code", "items"):
        if key not in meta:
            raise BadMetadataJson(reason=f"missing {key}")
    items_raw = meta["items"]
    if not isinstance(items_raw, list) or not items_raw:
        raise BadMetadataJson(reason="items must be a non-empty list")
    by_path: dict[str, StagedFile] = {}
    declarations: dict[str, FileDecl] = {}
    items: list[ParsedItem] = []
    used_parts: set[str] = set()
    for n, raw in enumerate(items_raw, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("metadata", {}), dict):
            raise BadMetadataJson(reason=f"items[{n - 1}] must be an object with a metadata object")
        paths = []
        for m, fraw in enumerate(raw.get("files", []) or []):
            where = f"items[{n - 1}].files[{m}]"
            if not isinstance(fraw, dict) or not fraw.get("path"):
                raise BadMetadataJson(reason=f"{where} needs a path")
            from lantai.ingest.unpack import safe_relpath

            path = safe_relpath(str(fraw["path"]))
            part = str(fraw.get("part") or fraw["path"])
            if path in declarations:
                from lantai.ingest.errors import DuplicatePath

                raise DuplicatePath(path=path)
            size = fraw.get("size")
            declarations[path] = FileDecl(
                path,
                clean_digests(fraw.get("digests"), where),
                str(fraw.get("format", "")),
                int(size) if isinstance(size, int) else None,
                str(fraw.get("created", "")),
            )
            paths.append(path)
            staged = files.get(part)
            if staged is not None:
                used_parts.add(part)
                by_path[path] = StagedFile(path, staged.staged, staged.size, staged.digests)
        items.append(ParsedItem(dict(raw.get("metadata") or {}), paths))
    for part, staged in files.items():
        if part not in used_parts:
            from lantai.ingest.unpack import safe_relpath

            extra = safe_relpath(part)
            by_path.setdefault(extra, StagedFile(extra, staged.staged, staged.size, staged.digests))
    registration = meta.get("registration") or {}
    if not isinstance(registration, dict):
        raise BadMetadataJson(reason="registration must be an object")
    return ParsedPackage(
        kind="api",
        package_id=str(meta["package_id"])[:200],
        fonds_code=str(meta["fonds_code"]),
        category_code=str(meta["category_code"]),
        items=items,
        files=by_path,
        declarations=declarations,
        registration=registration,
        package_declared=clean_digests(meta.get("package_digests"), "package_digests"),
    )


# --- DA/T 93-2022 件级移交信息包 ----------------------------------------------------------------

_ITEM_XML = re.compile(r"^电子档案.*元数据\.xml$", re.I)


def find_root(files: dict[str, StagedFile], marker: re.Pattern[str]) -> str:
    """The folder holding the marker file ("" for the top): zips often wrap one folder."""
    candidates = sorted((p for p in files if marker.search(p.rsplit("/", 1)[-1])), key=lambda p: p.count("/"))
    if not candidates:
        return ""
    head = candidates[0]
    return head.rsplit("/", 1)[0] + "/" if "/" in head else ""


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def parse_key_values(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([^:：]+?)\s*[:：]\s*(.*?)\s*$", line)
        if m:
            out[nfc(m.group(1))] = nfc(m.group(2))
    return out


def _declared_files(root_el: Any, item_dir: str) -> dict[str, FileDecl]:
    """File declarations inside a per-item metadata XML: any element holding a
    <计算机文件名>, with optional <计算机文件大小>, <格式信息>, <创建时间> and digests as
    <数字摘要 算法="SM3">…</数字摘要> (or <摘要算法>/<摘要值> pairs)."""
    out: dict[str, FileDecl] = {}
    for el in root_el.iter():
        names = [c for c in el if xmlsafe.local(c.tag) == "计算机文件名"]
        if not names:
            continue
        vals = {xmlsafe.local(c.tag): (c.text or "").strip() for c in el}
        path = item_dir + nfc(xmlsafe.text_of(names[0]))
        digests: dict[str, str] = {}
        for c in el.iter():
            tag = xmlsafe.local(c.tag)
            if tag in ("数字摘要", "摘要") and c.get("算法"):
                digests[c.get("算法", "")] = xmlsafe.text_of(c)
        if vals.get("摘要算法") and vals.get("摘要值"):
            digests[vals["摘要算法"]] = vals["摘要值"]
        size = vals.get("计算机文件大小", "")
        out[path] = FileDecl(
            path,
            clean_digests(digests, path),
            vals.get("格式信息", ""),
            int(size) if size.isdigit() else None,
            vals.get("创建时间", "") or vals.get("文件创建时间", ""),
        )
    return out


def read_dat93(files: dict[str, StagedFile], form: dict[str, str]) -> ParsedPackage:
    root = find_root(files, re.compile(r"^目录文件\.xml$", re.I))
    catalogue = next((p for p in files if re.fullmatch(re.escape(root) + r"目录文件\.xml", p, re.I)), None)
    if catalogue is None:
        raise UnparseablePackage(kind="DA/T 93", reason="目录文件.XML not found")
    notes_path = next((p for p in files if re.fullmatch(re.escape(root) + r"说明文件\.txt", p, re.I)), None)
    description = parse_key_values(read_text(files[notes_path].staged)) if notes_path else {}
    tree = xmlsafe.parse_file(files[catalogue].staged, catalogue)
    entries = [el for el in tree.iter() if xmlsafe.local(el.tag) == "文件"]
    if not entries:
        raise UnparseablePackage(kind="DA/T 93", reason="目录文件.XML lists no <文件>")
    structural = {catalogue} | ({notes_path} if notes_path else set())
    dirs: dict[str, str] = {}
    for p in files:
        parts = p.split("/")
        for i in range(len(parts) - 1):
            dirs.setdefault(parts[i], "/".join(parts[: i + 1]) + "/")
    items: list[ParsedItem] = []
    declarations: dict[str, FileDecl] = {}
    for el in entries:
        values = xmlsafe.leaves(el)
        values.pop("顺序号", None)
        metadata = map_labels(values)
        code = str(metadata.get("archival_code", ""))
        item_dir = dirs.get(code, "")
        paths: list[str] = []
        if item_dir:
            in_dir = sorted(p for p in files if p.startswith(item_dir))
            meta_xml = [p for p in in_dir if _ITEM_XML.match(p.rsplit("/", 1)[-1])]
            declared: dict[str, FileDecl] = {}
            for mx in meta_xml:
                mroot = xmlsafe.parse_file(files[mx].staged, mx)
                declared.update(_declared_files(mroot, item_dir))
                for k, v in map_labels(xmlsafe.leaves(mroot)).items():
                    metadata.setdefault(k, v)
                declarations[mx] = FileDecl(mx)
            if declared:
                declarations.update(declared)
                paths = meta_xml + sorted(declared)
            else:
                # No per-file declarations: every file in the 档号 folder belongs to the item.
                paths = in_dir
                for p in in_dir:
                    declarations.setdefault(p, FileDecl(p))
        items.append(ParsedItem(metadata, paths))
    other = root + "其他/"
    structural |= {p for p in files if p.startswith(other)}
    count = re.search(r"\d+", description.get("档案数量", ""))
    registration: dict[str, object] = {"description": description}
    if count:
        registration["item_count"] = int(count.group())
    first_code = str(items[0].metadata.get("archival_code", ""))
    m = re.match(r"^([^-]+)-([A-Z]+)", first_code)
    return ParsedPackage(
        kind="dat93",
        package_id=form.get("package_id") or description.get("移交批次号") or description.get("批次号", ""),
        fonds_code=form.get("fonds_code") or description.get("全宗号") or (m.group(1) if m else ""),
        category_code=form.get("category_code") or (m.group(2) if m else ""),
        items=items,
        files=files,
        declarations=declarations,
        registration=registration,
        structural=structural,
    )


# --- DA/T 48-2009 EEP -------------------------------------------------------------------------


def read_eep(xml_file: StagedFile, staging: Staging, form: dict[str, str]) -> ParsedPackage:
    """Decode each <编码数据> (base64) into staging, hashing as it is written."""
    import io

    root = xmlsafe.parse_file(xml_file.staged, xml_file.path)
    if xmlsafe.local(root.tag) != "电子文件封装包":
        raise UnparseablePackage(kind="EEP", reason=f"root element is <{xmlsafe.local(root.tag)}>")
    entities = [el for el in root.iter() if xmlsafe.local(el.tag) == "文件实体"]
    if not entities:
        raise UnparseablePackage(kind="EEP", reason="no <文件实体>")
    items: list[ParsedItem] = []
    files: dict[str, StagedFile] = {}
    declarations: dict[str, FileDecl] = {}
    for seq, ent in enumerate(entities, start=1):
        metadata: dict[str, object] = {}
        for block in ent:
            name = xmlsafe.local(block.tag)
            if name in ("档号", "内容描述", "形式特征", "来源", "权限管理"):
                metadata.update(
                    {k: v for k, v in map_labels(xmlsafe.leaves(block)).items() if k not in metadata}
                )
        number = xmlsafe.text_of(next((c for c in ent if xmlsafe.local(c.tag) == "电子文件号"), None))
        if "archival_code" not in metadata and number:
            metadata["electronic_record_number"] = number
        prefix = nfc(number or f"{seq:04d}") + "/"
        paths: list[str] = []
        for coding in (el for el in ent.iter() if xmlsafe.local(el.tag) == "编码"):
            attrs = {}
            data_el = None
            for c in coding.iter():
                tag = xmlsafe.local(c.tag)
                if tag == "编码数据":
                    data_el = c
                elif not len(c):
                    attrs[tag] = (c.text or "").strip()
            fname = attrs.get("计算机文件名") or f"file{len(paths) + 1}"
            from lantai.ingest.unpack import safe_relpath

            path = safe_relpath(prefix + fname)
            size = attrs.get("计算机文件大小", "")
            declarations[path] = FileDecl(
                path,
                {},
                attrs.get("格式信息", ""),
                int(size) if size.isdigit() else None,
                attrs.get("创建时间", ""),
            )
            paths.append(path)
            if data_el is None or not (data_el.text or "").strip():
                continue
            try:
                raw = base64.b64decode("".join((data_el.text or "").split()), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise UnparseablePackage(kind="EEP", reason=f"{path}: base64 {exc}") from exc
            data_el.text = None  # free the encoded copy early
            out_size, digests = staging.write_stream(staging.payload / path, io.BytesIO(raw))
            files[path] = StagedFile(path, staging.payload / path, out_size, digests)
        items.append(ParsedItem(metadata, paths))
    first = items[0].metadata
    return ParsedPackage(
        kind="eep",
        package_id=form.get("package_id", ""),
        fonds_code=form.get("fonds_code") or str(first.get("fonds_code", "")),
        category_code=form.get("category_code", ""),
        items=items,
        files=files,
        declarations=declarations,
        registration={"item_count": len(items)},
        notes={
            "package_type": xmlsafe.text_of(
                next((e for e in root.iter() if xmlsafe.local(e.tag) == "封装包类型"), None)
            )
        },
    )


# --- BagIt (RFC 8493 and earlier drafts) -----------------------------------------------------------


def read_bagit(files: dict[str, StagedFile], staging: Staging, form: dict[str, str]) -> ParsedPackage:
    import bagit

    root = find_root(files, re.compile(r"^bagit\.txt$"))
    bag_dir = staging.payload / root if root else staging.payload
    bagit_txt = root + "bagit.txt"
    if bagit_txt not in files:
        raise BagInvalid(reason="bagit.txt not found")
    if files[bagit_txt].staged.read_bytes().startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise BagInvalid(reason="bagit.txt must not start with a byte-order mark")
    if (root + "fetch.txt") in files:
        raise BagInvalid(reason="fetch.txt: holey bags are not accepted (no remote fetching)")
    _check_bagit_txt(files[bagit_txt].staged)
    try:
        bag = bagit.Bag(str(bag_dir))
    except bagit.BagError as exc:
        raise BagInvalid(reason=str(exc).replace(str(staging.payload), "")[:300]) from exc
    declarations: dict[str, FileDecl] = {}
    for rel, hashes in bag.entries.items():
        path = nfc(root + rel.replace("\\", "/"))
        declared = {a: h.lower() for a, h in hashes.items() if a in SUPPORTED_ALGORITHMS}
        if path.startswith(root + "data/"):
            declarations[path] = FileDecl(path, declared)
            continue
        # A tag file: verified here, as part of reading the bag's structure.
        tag = files.get(path)
        if tag is None:
            raise BagInvalid(reason=f"tag file {rel} is listed in a tag manifest but absent")
        tag.ensure(declared.keys())
        wrong = [a for a, h in declared.items() if tag.digests.get(a) != h]
        if wrong:
            raise BagInvalid(reason=f"tag file {rel} does not match its {', '.join(wrong)} digest")
    structural = {p for p in files if not p.startswith(root + "data/")}
    info = {k: (v if isinstance(v, str) else "; ".join(v)) for k, v in bag.info.items()}
    payload = sorted(p for p in files if p.startswith(root + "data/"))
    declared_payload = sorted(p for p in declarations if p.startswith(root + "data/"))
    items_json = root + "metadata/items.json"
    items: list[ParsedItem]
    if items_json in files:
        try:
            raw_items = json.loads(files[items_json].staged.read_text("utf-8"))
            items = [
                ParsedItem(
                    dict(it.get("metadata", {})), [nfc(root + "data/" + p) for p in it.get("files", [])]
                )
                for it in raw_items
            ]
        except (ValueError, AttributeError, TypeError) as exc:
            raise BadMetadataJson(reason=f"metadata/items.json: {exc}") from exc
    else:
        # Without an item list each payload file is one item titled by its name.
        items = [
            ParsedItem({"title": Path(p).stem}, [p]) for p in sorted(set(payload) | set(declared_payload))
        ]
    registration: dict[str, object] = {"bag_info": info}
    oxum = info.get("Payload-Oxum", "")
    m = re.fullmatch(r"(\d+)\.(\d+)", oxum.strip())
    if m:
        registration["total_bytes"] = int(m.group(1))
        registration["file_count"] = int(m.group(2))
    return ParsedPackage(
        kind="bagit",
        package_id=form.get("package_id")
        or info.get("External-Identifier", "")
        or info.get("Bag-Group-Identifier", ""),
        fonds_code=form.get("fonds_code") or info.get("Lantai-Fonds-Code", ""),
        category_code=form.get("category_code") or info.get("Lantai-Category-Code", ""),
        items=items,
        files=files,
        declarations=declarations,
        registration=registration,
        structural=structural,
        notes={
            "bagit_version": ".".join(str(n) for n in bag.version_info),
            "algorithms": sorted(bag.algorithms),
        },
    )


def _check_bagit_txt(path: Path) -> None:
    """RFC 8493 §2.1.1: exactly ``BagIt-Version: M.N`` and ``Tag-File-Character-Encoding: X``,
    with no whitespace before the colon."""
    lines = [line for line in path.read_bytes().decode("utf-8", errors="replace").splitlines() if line]
    ok = (
        len(lines) >= 2
        and re.fullmatch(r"BagIt-Version: \d+\.\d+", lines[0]) is not None
        and re.fullmatch(r"Tag-File-Character-Encoding: \S+", lines[1]) is not None
    )
    if not ok:
        raise BagInvalid(reason="bagit.txt is not two well-formed declaration lines")
