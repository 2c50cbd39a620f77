"""Real sample files and packages for the checks tests (made here, nothing downloaded)."""

from __future__ import annotations

import io
import wave
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

from lantai.checks.package import FileView, ItemView, PackageView
from lantai.core.hashing import digest_file

FONDS = "Z109"


def pdf_bytes(
    pages: int = 1, *, pdfa: bool = False, password: str = "", signed: bool = False, javascript: bool = False
) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    if signed:
        # the structure a signing tool leaves: a /Sig field whose value holds the PKCS#7 blob
        value = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Sig,
                Filter=pikepdf.Name("/Adobe.PPKLite"),
                SubFilter=pikepdf.Name("/adbe.pkcs7.detached"),
                ByteRange=pikepdf.Array([0, 10, 20, 30]),
                Contents=pikepdf.String(b"\x00" * 16),
            )
        )
        field = pdf.make_indirect(
            pikepdf.Dictionary(FT=pikepdf.Name.Sig, T=pikepdf.String("签名1"), V=value, Rect=[0, 0, 0, 0])
        )
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)
    if javascript:
        js = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        pdf.Root.OpenAction = js
    if pdfa:
        with pdf.open_metadata() as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
    out = io.BytesIO()
    if password:
        pdf.save(out, encryption=pikepdf.Encryption(owner=password + "-owner", user=password))
    else:
        pdf.save(out)
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", quality=80)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return out.getvalue()


def mp3_bytes(frames: int = 50) -> bytes:
    """MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) of silence: what an encoder writes, minus audio."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * (417 - 4)
    return frame * frames


OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(
    *,
    pages: int = 1,
    break_page: bool = False,
    encrypted_flag: bool = False,
    signed: bool = False,
    missing_resource: bool = False,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>abc</ofd:DocID><ofd:Title>关于开展档案工作的通知</ofd:Title>"
            "<ofd:CreationDate>2011-03-05</ofd:CreationDate></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
            + ("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>" if signed else "")
            + "</ofd:DocBody></ofd:OFD>",
        )
        if signed:
            z.writestr(
                "Doc_0/Signs/Signatures.xml",
                f'<ofd:Signatures xmlns:ofd="{OFD_NS}"><ofd:MaxSignId>1</ofd:MaxSignId>'
                '<ofd:Signature ID="1" Type="Seal" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>',
            )
        page_refs = "".join(
            f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages)
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData>'
            "<ofd:MaxUnitID>20</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            "</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
            "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
            f"</ofd:CommonData><ofd:Pages>{page_refs}</ofd:Pages></ofd:Document>",
        )
        z.writestr(
            "Doc_0/PublicRes.xml",
            f'<ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体">'
            "<ofd:FontFile>font_2.ttf</ofd:FontFile></ofd:Font>"
            '<ofd:Font ID="3" FontName="Arial"/></ofd:Fonts></ofd:Res>',
        )
        z.writestr(
            "Doc_0/DocumentRes.xml",
            f'<ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:MultiMedias>'
            '<ofd:MultiMedia ID="4" Type="Image"><ofd:MediaFile>image_4.jpg</ofd:MediaFile></ofd:MultiMedia>'
            "</ofd:MultiMedias></ofd:Res>",
        )
        z.writestr("Doc_0/Res/font_2.ttf", b"\x00\x01\x00\x00 not a real font, only its presence is checked")
        if not missing_resource:
            z.writestr("Doc_0/Res/image_4.jpg", jpeg_bytes())
        for i in range(pages):
            body = "<ofd:Page" if break_page else f'<ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content/></ofd:Page>'
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", body)
    data = out.getvalue()
    if encrypted_flag:
        # set bit 0 (encrypted) of the general-purpose flags in every local and central header
        buf = bytearray(data)
        for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = 0
            while (i := buf.find(sig, start)) != -1:
                buf[i + offset] |= 0x1
                start = i + 4
        data = bytes(buf)
    return data


def ws_metadata(number: int = 1, **overrides: Any) -> dict[str, object]:
    meta: dict[str, object] = {
        "archival_code": f"{FONDS}-WS·2011-Y-BGS-{number:04d}",
        "fonds_code": FONDS,
        "year": "2011",
        "retention": "Y",
        "org_code": "BGS",
        "number": str(number),
        "title": f"关于开展档案工作的通知（第{number}号）",
        "responsible_party": "兰台市档案局",
        "document_number": f"兰档发〔2011〕{number}号",
        "date": "20110305",
        "security_level": "公开",
        "open_status": "开放",
        "page_count": "1",
    }
    meta.update(overrides)
    return meta


class PackageBuilder:
    """Writes files into a staging folder, hashes them like ingest does, and builds the view."""

    def __init__(
        self, root: Path, *, stage: str = "GD", category: str = "WS", institution_id: int = 1
    ) -> None:
        self.root = root
        self.stage = stage
        self.category = category
        self.institution_id = institution_id
        self.items: list[ItemView] = []
        self.files: list[FileView] = []
        self.registration: dict[str, object] = {}
        self.extra: dict[str, Any] = {}

    def file(
        self,
        path: str,
        data: bytes,
        *,
        item: ItemView | None = None,
        declared: dict[str, str] | None = None,
        **kw: Any,
    ) -> FileView:
        local = self.root / f"f{len(self.files):05d}"
        local.write_bytes(data)
        digests = digest_file(local).values
        view = FileView(
            path=path,
            local_path=local,
            size=len(data),
            digests=dict(digests),
            declared=dict(digests) if declared is None else declared,
            item_seq=item.seq if item else None,
            **kw,
        )
        self.files.append(view)
        if item is not None:
            item.files.append(view)
        return view

    def item(self, metadata: dict[str, object], *files: tuple[str, bytes]) -> ItemView:
        view = ItemView(seq=len(self.items) + 1, metadata=metadata, files=[])
        self.items.append(view)
        for name, data in files:
            self.file(name, data, item=view)
        return view

    def build(self, *, registration: bool = True, **kw: Any) -> PackageView:
        reg = dict(self.registration)
        if registration:
            reg.setdefault("item_count", len(self.items))
            reg.setdefault("total_bytes", sum(f.size for f in self.files))
        return PackageView(
            stage=self.stage,
            source_kind=kw.pop("source_kind", "api"),
            institution_id=self.institution_id,
            fonds_code=kw.pop("fonds_code", FONDS),
            category_code=self.category,
            items=self.items,
            files=self.files,
            registration=reg,
            **kw,
        )


def results_for(report: Any, code: str) -> list[Any]:
    return [r for r in report.results if r.code == code]


def outcomes(report: Any, code: str) -> set[str]:
    return {str(r.outcome) for r in results_for(report, code)}
