"""Opening each content file the way a reader would: PDF (pikepdf syntax check + PDFium render of
page 1), OFD (safe XML parse of OFD.xml, Document.xml and every page), images (Pillow verify and
full decode), audio/video (mutagen header probe), XML and text; plus what only the parser sees:
encryption, non-public compression, the PDF/A claim and the embedded creation time.

``inspect`` never raises: any failure becomes ``readable=False`` with the exception class.
"""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET

from lantai.checks.formats import OFD_MIME, OFD_NAMESPACE, FormatInfo

PUBLIC_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # what every reader implements
NONPUBLIC_ARCHIVE_MIMES = {"application/x-rar", "application/vnd.rar", "application/x-rar-compressed"}
OLE_MIMES = {
    "application/x-ole-storage",
    "application/CDFV2",
    "application/CDFV2-encrypted",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.ms-office",
}
ENCRYPTED_OLE_MARKER = "EncryptedPackage".encode("utf-16-le")  # OOXML encrypted into a CFB container
PDF_EOF_WINDOW = 2048
MAX_XML_BYTES = 64 << 20
MAX_IMAGE_PIXELS = 300_000_000  # about a 600 dpi A0 scan; beyond it Pillow refuses (bomb guard)
RENDER_SCALE = 0.25  # enough to prove page 1 renders; keeps a check run cheap
# PDFium is not thread-safe (pypdfium2 says so); workers and web threads may check at once.
PDFIUM_LOCK = threading.Lock()
DRAFT_PIXELS = 50_000_000  # above this a JPEG is decoded at 1/8 scale: every block still decodes


@dataclass
class Inspection:
    kind: str  # pdf | ofd | image | audio | video | xml | text | zip | other
    readable: bool | None  # None: no reader for this kind
    detail: dict[str, Any] = field(default_factory=dict)
    encrypted: bool = False
    nonpublic_compression: list[str] = field(default_factory=list)
    pdfa: str = ""
    created: str = ""  # creation time found inside the file (PDF/OFD), ISO-ish text
    signatures: int = 0  # electronic signatures / seals carried by the file (not verified here)
    active_content: list[str] = field(default_factory=list)  # JavaScript, launch actions, embedded files

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "readable": self.readable, **self.detail}
        if self.signatures:
            data["signatures"] = self.signatures
        if self.active_content:
            data["active_content"] = self.active_content
        return data


def kind_of(fmt: FormatInfo) -> str:
    mime = fmt.mime
    if mime == "application/pdf":
        return "pdf"
    if mime == OFD_MIME:
        return "ofd"
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("audio/"):
        return "audio"
    if mime.startswith("video/"):
        return "video"
    if mime in ("text/xml", "application/xml"):
        return "xml"
    if mime.startswith("text/"):
        return "text"
    if mime in ("application/zip", "application/epub+zip") or mime.startswith(
        ("application/vnd.openxmlformats", "application/vnd.oasis.opendocument")
    ):
        return "zip"
    if mime in OLE_MIMES:
        return "ole"
    return "other"


def inspect(path: Path, fmt: FormatInfo) -> Inspection:
    kind = kind_of(fmt)
    ins = Inspection(kind, None)
    try:
        if path.stat().st_size == 0:
            ins.readable = False
            ins.detail["error"] = "empty file"
            return ins
        reader = READERS.get(kind)
        if reader is not None:
            reader(path, ins)
        if fmt.mime in NONPUBLIC_ARCHIVE_MIMES:
            ins.nonpublic_compression.append(fmt.mime)
    except Exception as exc:
        ins.readable = False
        ins.detail["error"] = type(exc).__name__
        ins.detail["message"] = str(exc)[:300]
    return ins


def _pdf(path: Path, ins: Inspection) -> None:
    import pikepdf
    import pypdfium2

    with path.open("rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(0, size - PDF_EOF_WINDOW))
        tail = stream.read()
    if b"%%EOF" not in tail:
        # qpdf and PDFium both repair a cut-off file silently; the missing trailer is the tell
        ins.readable = False
        ins.detail["error"] = "truncated: no %%EOF marker at the end"
        return
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        ins.encrypted = True
        ins.readable = False
        ins.detail["error"] = "password required"
        return
    with pdf:
        ins.encrypted = bool(pdf.is_encrypted)
        problems = pdf.check_pdf_syntax()
        ins.detail["pages"] = len(pdf.pages)
        if problems:
            ins.detail["syntax_problems"] = [str(p)[:200] for p in problems[:5]]
        try:
            meta = pdf.open_metadata()
            ins.pdfa = str(meta.pdfa_status or "")
        except Exception:
            ins.pdfa = ""
        _pdf_features(pdf, ins)
        info = pdf.docinfo
        created = info.get("/CreationDate") if info is not None else None
        if created is not None:
            ins.created = _pdf_date(str(created))
        if len(pdf.pages) == 0:
            ins.readable = False
            ins.detail["error"] = "no pages"
            return
    with PDFIUM_LOCK:
        doc = pypdfium2.PdfDocument(str(path))
        try:
            page = doc[0]
            bitmap = page.render(scale=RENDER_SCALE)
            ins.detail["rendered"] = [bitmap.width, bitmap.height]
            bitmap.close()
            page.close()
        finally:
            doc.close()
    ins.readable = True


FONT_PAGES = 20  # pages whose fonts are inspected: enough to see how the document was produced


def _fonts_not_embedded(pdf: Any) -> list[str]:
    """Names of fonts used on the first pages without an embedded font program (DA/T 47 asks for
    self-contained files; a 宋体 that is not embedded renders differently on every machine)."""
    missing: dict[str, None] = {}
    for page in list(pdf.pages)[:FONT_PAGES]:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for _key, font in fonts.items():
            descendants = font.get("/DescendantFonts")
            target = descendants[0] if descendants is not None and len(descendants) else font
            descriptor = target.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs are drawn by the PDF itself
            embedded = descriptor is not None and any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            if not embedded:
                missing.setdefault(str(font.get("/BaseFont", "?")).lstrip("/"), None)
    return list(missing)


def _pdf_features(pdf: Any, ins: Inspection) -> None:
    """Signature fields, active content (DA/T 47: a long-term format carries no scripts) and fonts."""
    try:
        fonts = _fonts_not_embedded(pdf)
    except Exception:  # a damaged resource tree: readability judges the file by rendering it
        fonts = []
    if fonts:
        ins.detail["fonts_not_embedded"] = fonts[:20]
    root = pdf.Root
    acro = root.get("/AcroForm")
    pending = list(acro.get("/Fields", [])) if acro is not None else []
    seen = 0
    while pending and seen < 10_000:  # a field tree is small; the bound guards a cyclic one
        seen += 1
        fld = pending.pop()
        if fld.get("/FT") == "/Sig" and fld.get("/V") is not None:
            ins.signatures += 1
        pending.extend(fld.get("/Kids", []))
    names = root.get("/Names")
    if names is not None:
        if "/JavaScript" in names:
            ins.active_content.append("javascript")
        if "/EmbeddedFiles" in names:
            ins.active_content.append("embedded_files")
    action = root.get("/OpenAction")
    if isinstance(action, dict) or hasattr(action, "get"):
        try:
            kind = str(action.get("/S", ""))
        except Exception:
            kind = ""
        if kind in ("/JavaScript", "/Launch"):
            ins.active_content.append(kind.strip("/").lower())


def _pdf_date(text: str) -> str:
    # D:20110305093000+08'00' → 2011-03-05T09:30:00
    digits = text[2:] if text.startswith("D:") else text
    d = "".join(ch for ch in digits[:14] if ch.isdigit())
    if len(d) < 8:
        return ""
    out = f"{d[0:4]}-{d[4:6]}-{d[6:8]}"
    if len(d) >= 14:
        out += f"T{d[8:10]}:{d[10:12]}:{d[12:14]}"
    return out


def _zip_entries(path: Path, ins: Inspection) -> zipfile.ZipFile:
    z = zipfile.ZipFile(path)
    for info in z.infolist():
        if info.flag_bits & 0x1:
            ins.encrypted = True
        if info.compress_type not in PUBLIC_ZIP_METHODS:
            ins.nonpublic_compression.append(f"{info.filename}: method {info.compress_type}")
    return z


def _xml_root(z: zipfile.ZipFile, name: str) -> Any:
    info = z.getinfo(name)
    if info.file_size > MAX_XML_BYTES:
        raise ValueError(f"{name} is larger than {MAX_XML_BYTES} bytes")
    return SafeET.fromstring(z.read(info))


def _ofd(path: Path, ins: Inspection) -> None:
    ns = {"ofd": OFD_NAMESPACE}
    with _zip_entries(path, ins) as z:
        if ins.encrypted:
            ins.readable = False
            ins.detail["error"] = "encrypted zip entries"
            return
        root = _xml_root(z, "OFD.xml")
        doc_roots = [el.text.strip().lstrip("/") for el in root.iterfind(".//ofd:DocRoot", ns) if el.text]
        if not doc_roots:
            ins.readable = False
            ins.detail["error"] = "OFD.xml names no DocRoot"
            return
        for sig_ref in root.iterfind(".//ofd:Signatures", ns):
            ref = (sig_ref.text or "").strip().lstrip("/")
            if ref:
                base_dir = doc_roots[0].rsplit("/", 1)[0] + "/" if "/" in doc_roots[0] else ""
                entry = ref if ref in z.namelist() else base_dir + ref
                signs = _xml_root(z, entry)
                ins.signatures += sum(1 for _ in signs.iterfind(".//ofd:Signature", ns))
        created = root.find(".//ofd:DocInfo/ofd:CreationDate", ns)
        if created is not None and created.text:
            ins.created = created.text.strip()
        pages = 0
        names = set(z.namelist())
        missing: list[str] = []
        fonts_not_embedded = 0
        for doc_path in doc_roots:
            doc = _xml_root(z, doc_path)
            base = _dir_of(doc_path)
            for page in doc.iterfind(".//ofd:Pages/ofd:Page", ns):
                loc = page.get("BaseLoc") or ""
                if not loc.strip():
                    raise ValueError("a page without BaseLoc")
                _xml_root(z, _resolve(names, base, loc))  # each page's content must exist and parse
                pages += 1
            for ref in [
                *doc.iterfind(".//ofd:CommonData/ofd:PublicRes", ns),
                *doc.iterfind(".//ofd:CommonData/ofd:DocumentRes", ns),
            ]:
                if not (ref.text or "").strip():
                    continue
                res_path = _resolve(names, base, ref.text)
                res = _xml_root(z, res_path)
                res_base = _dir_of(res_path) + (
                    (res.get("BaseLoc") or "").strip().strip("/") + "/" if res.get("BaseLoc") else ""
                )
                for font in res.iterfind(".//ofd:Font", ns):
                    if font.find("ofd:FontFile", ns) is None:
                        fonts_not_embedded += 1
                for media in [*res.iterfind(".//ofd:FontFile", ns), *res.iterfind(".//ofd:MediaFile", ns)]:
                    loc = (media.text or "").strip()
                    if loc and _resolve(names, res_base, loc) not in names:
                        missing.append(loc)
        ins.detail["documents"] = len(doc_roots)
        if fonts_not_embedded:
            ins.detail["fonts_not_embedded"] = fonts_not_embedded
        if missing:
            ins.readable = False
            ins.detail["error"] = "missing resources"
            ins.detail["missing"] = missing[:20]
            return
        ins.detail["pages"] = pages
        if pages == 0:
            ins.readable = False
            ins.detail["error"] = "no pages"
            return
    ins.readable = True


def _dir_of(entry: str) -> str:
    return entry.rsplit("/", 1)[0] + "/" if "/" in entry else ""


def _resolve(names: set[str], base: str, loc: str) -> str:
    """OFD locations are absolute from the package root ("/Doc_0/…") or relative to the file
    that names them; some producers write root-relative paths without the slash."""
    loc = loc.strip()
    if loc.startswith("/"):
        return loc.lstrip("/")
    relative = base + loc
    return relative if relative in names or loc not in names else loc


def _image(path: Path, ins: Inspection) -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        ins.detail.update({"width": im.width, "height": im.height, "mode": im.mode})
        if im.format == "JPEG" and im.width * im.height > DRAFT_PIXELS:
            im.draft(im.mode, (im.width // 8, im.height // 8))  # bounds memory for huge scans
        im.load()  # decodes the pixels: catches truncated data that verify() lets through
        ins.detail["frames"] = int(getattr(im, "n_frames", 1))
    ins.readable = True


def _media(path: Path, ins: Inspection) -> None:
    import mutagen

    media = mutagen.File(str(path))
    if media is None or getattr(media, "info", None) is None:
        # mutagen knows MP3/MP4/WAV/FLAC/OGG…, not MPEG-PS, AVI or FLV: say so, don't guess
        ins.readable = None
        ins.detail["reason"] = "no reader for this audio/video container"
        return
    length = float(getattr(media.info, "length", 0) or 0)
    ins.detail["duration_seconds"] = round(length, 3)
    ins.detail["container"] = type(media).__name__
    if length <= 0:
        ins.readable = False
        ins.detail["error"] = "no playable duration"
        return
    ins.readable = True


def _xml(path: Path, ins: Inspection) -> None:
    if path.stat().st_size > MAX_XML_BYTES:
        ins.readable = None
        ins.detail["reason"] = "larger than the XML parse limit"
        return
    SafeET.parse(str(path))
    ins.readable = True


def _text(path: Path, ins: Inspection) -> None:
    data = path.read_bytes()[: 8 << 20]
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        ins.detail["encoding"] = encoding
        ins.readable = True
        return
    ins.readable = False
    ins.detail["error"] = "neither UTF-8 nor GB18030"


def _container(path: Path, ins: Inspection) -> None:
    # Entries are listed, not inflated: an embedded zip bomb must not cost a check run.
    with _zip_entries(path, ins) as z:
        ins.detail["entries"] = len(z.infolist())
    ins.readable = None  # the directory is sound; its documents have no reader here


def _ole(path: Path, ins: Inspection) -> None:
    with path.open("rb") as stream:
        head = stream.read(1 << 20)
    if ENCRYPTED_OLE_MARKER in head:
        ins.encrypted = True
    ins.readable = None


READERS = {
    "pdf": _pdf,
    "ofd": _ofd,
    "image": _image,
    "audio": _media,
    "video": _media,
    "xml": _xml,
    "text": _text,
    "zip": _container,
    "ole": _ole,
}
