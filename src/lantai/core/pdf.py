"""Chinese fonts for PDF output (ReportLab).

ReportLab embeds only TrueType outlines, so Noto CJK (CFF) cannot be used; WenQuanYi Zen
Hei (Debian ``fonts-wqy-zenhei``) can. Every PDF Lantai prints registers its font here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from lantai.core.errors import LantaiError

CJK_FONT_NAME = "WenQuanYiZenHei"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),
)


class CJKFontMissing(LantaiError):
    code = "pdf.font_missing"
    http_status = 500
    default_message = _(
        "No Chinese font for PDF output: install the fonts-wqy-zenhei package (WenQuanYi Zen Hei)."
    )


@cache
def register_cjk_font() -> str:
    """Register the CJK font with ReportLab once per process and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in FONT_CANDIDATES:
        if path.exists():
            pdfmetrics.registerFont(TTFont(CJK_FONT_NAME, str(path), subfontIndex=0))
            return CJK_FONT_NAME
    raise CJKFontMissing()
