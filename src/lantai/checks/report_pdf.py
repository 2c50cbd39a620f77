"""The 检测报告 as a Chinese PDF: summary counts, then one table per dimension (检测项/对象/结果/
依据/证据), so a report can be filed with the 移交/接收 record."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from lantai.checks.labels import by_target, describe_evidence
from lantai.checks.package import DIMENSION_LABELS, OUTCOME_LABELS, STAGE_LABELS, Dimension, Outcome, Stage
from lantai.core.pdf import register_cjk_font

if TYPE_CHECKING:
    from lantai.checks.runner import CheckReport

MAX_TARGET_ROWS = 300  # the per-object summary; the tables below still list every result
OUTCOME_COLOURS = {
    "passed": "#1e7b34",
    "failed": "#b3261e",
    "warning": "#a15c00",
    "manual": "#1f5fa8",
    "not_performed": "#5f6368",
}


def evidence_text(evidence: dict[str, Any]) -> str:
    return describe_evidence(evidence)


def target_label(target: str) -> str:
    if target == "package":
        return _("Package")
    kind, _sep, rest = target.partition(":")
    if kind == "item":
        return _("Item %(seq)s") % {"seq": rest}
    return rest


def render(report: CheckReport, title: str, language: str = "zh-hans") -> bytes:
    with override(language):
        return _render(report, title)


def _render(report: CheckReport, title: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    head = ParagraphStyle("head", parent=base, fontSize=16, leading=20, spaceAfter=6)
    sub = ParagraphStyle("sub", parent=base, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    summary = report.summary()
    overall = {"passed": Outcome.PASSED, "failed": Outcome.FAILED, "manual": Outcome.MANUAL}[report.outcome]
    stage = (
        str(STAGE_LABELS[Stage(report.stage)]) if report.stage in {s.value for s in Stage} else report.stage
    )
    story: list[Any] = [
        p(title, head),
        p(
            _("Stage: %(stage)s    Scheme: %(scheme)s    Category: %(category)s")
            % {"stage": stage, "scheme": report.scheme_code, "category": report.category_code}
        ),
        p(
            _("Checked: %(start)s – %(end)s")
            % {
                "start": timezone.localtime(report.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                "end": timezone.localtime(report.finished_at).strftime("%H:%M:%S"),
            }
        ),
        Paragraph(
            escape(_("Result: ")) + f'<font color="{OUTCOME_COLOURS[str(overall)]}">'
            f"{escape(str(OUTCOME_LABELS[overall]))}</font>",
            sub,
        ),
    ]
    counts = summary["counts"]
    story.append(
        Table(
            [
                [p(str(OUTCOME_LABELS[o])) for o in Outcome],
                [p(str(counts.get(str(o), 0))) for o in Outcome],
            ],
            style=TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]),
            hAlign="LEFT",
        )
    )
    if report.environment:
        env = "；".join(f"{k}：{v}" for k, v in report.environment.items())
        story.append(p(_("Environment: %(env)s") % {"env": env}))
    problems = by_target([r.to_json() for r in report.results])
    if problems:
        story.append(p(_("By object"), sub))
        summary_rows = [[p(_("Object")), p(_("Items not passed"))]]
        for row in problems[:MAX_TARGET_ROWS]:
            cells = []
            for outcome, codes in row["outcomes"]:
                colour = OUTCOME_COLOURS[outcome]
                label = escape(str(OUTCOME_LABELS[Outcome(outcome)]))
                cells.append(f'<font color="{colour}">{label}</font> {escape(", ".join(codes))}')
            summary_rows.append([p(target_label(row["target"])), Paragraph("　".join(cells), base)])
        if len(problems) > MAX_TARGET_ROWS:
            summary_rows.append(
                [p("…"), p(_("%(count)s more objects") % {"count": len(problems) - MAX_TARGET_ROWS})]
            )
        story.append(
            Table(
                summary_rows,
                colWidths=[90 * mm, 180 * mm],
                repeatRows=1,
                style=TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ]
                ),
            )
        )
    widths = [22 * mm, 45 * mm, 45 * mm, 16 * mm, 60 * mm, 82 * mm]
    for dim in Dimension:
        rows = [r for r in report.results if r.dimension == dim]
        if not rows:
            continue
        story.append(p(str(DIMENSION_LABELS[dim]), sub))
        data = [
            [p(_("Code")), p(_("Check item")), p(_("Object")), p(_("Result")), p(_("Rule")), p(_("Evidence"))]
        ]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for i, r in enumerate(rows, start=1):
            data.append(
                [
                    p(r.code),
                    p(r.name),
                    p(target_label(r.target)),
                    Paragraph(
                        f'<font color="{OUTCOME_COLOURS[str(r.outcome)]}">'
                        f"{escape(str(OUTCOME_LABELS[r.outcome]))}</font>",
                        base,
                    ),
                    p(r.rule),
                    p(evidence_text(r.evidence)),
                ]
            )
            if r.outcome == Outcome.FAILED:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fdecea")))
        story.append(Table(data, colWidths=widths, repeatRows=1, style=TableStyle(style)))
    story.append(Spacer(1, 4 * mm))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
        author="Lantai",
    )
    doc.build(story)
    return out.getvalue()
