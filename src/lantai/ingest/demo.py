"""Demo online archiving for `lantai demo`: the county government office's OA system sends two
batches through the real pipeline — one passes and waits in the pre-archive queue, one has
an altered file and is refused by the 四性检测, so both pages have something to show."""

from __future__ import annotations

import hashlib
import io
import json

from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution

AGENCY = "QXZF"
FONDS = "Z001"
TITLES = [
    "关于做好2025年度防汛工作的通知",
    "清溪县人民政府办公室2025年第三季度工作总结",
    "关于召开全县档案工作会议的通知",
]


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def _submit(actor: Actor, package_id: str, tamper: bool) -> None:
    from lantai.core.errors import LantaiError
    from lantai.ingest import services
    from lantai.ingest.staging import StagedFile, Staging

    staging = Staging()
    parts: dict[str, StagedFile] = {}
    items = []
    for n, title in enumerate(TITLES, 1):
        content = _pdf(f"Qingxi county government office, document {n} ({package_id})")
        path = f"{n:04d}/正文.pdf"
        declared = hashlib.new("sm3", content).hexdigest()
        if tamper and n == 2:
            content = content.replace(b"document", b"Document")  # altered after it was declared
        target = staging.root / "parts" / f"{n:06d}"
        size, digests = staging.write_stream(target, io.BytesIO(content))
        parts[path] = StagedFile(path, target, size, digests)
        items.append(
            {
                "metadata": {
                    "fonds_code": FONDS,
                    "year": 2025,
                    "retention": "D30",
                    "org_code": "BGS",
                    "title": title,
                    "responsible_party": "清溪县人民政府办公室",
                    "date": f"202509{n:02d}",
                    "open_status": "未审核",
                    "security_level": "公开",
                    "page_count": 1,
                },
                "files": [{"path": path, "digests": {"sm3": declared}, "format": "PDF"}],
            }
        )
    meta = {"package_id": package_id, "fonds_code": FONDS, "category_code": "WS", "items": items}
    try:
        services.submit_api(actor, json.dumps(meta, ensure_ascii=False), parts, staging)
    except LantaiError:
        staging.remove()


def load() -> None:
    from lantai.catalog.models import Fonds
    from lantai.ingest.models import Submission

    agency = Institution.objects.filter(code=AGENCY).first()
    if agency is None or not Fonds.objects.filter(code=FONDS).exists():
        return
    if Submission.objects.filter(institution=agency).exists():
        return
    actor = Actor(
        kind="apikey",
        id="demo-oa",
        name="apikey:demo:清溪县 OA 系统",
        permissions=frozenset({"ingest.submit"}),
        institution_scope=frozenset({agency.pk}),
        clearance=1,
        institution_id=agency.pk,
    )
    _submit(actor, "QXZF-OA-2025-0001", tamper=False)
    _submit(actor, "QXZF-OA-2025-0002", tamper=True)
