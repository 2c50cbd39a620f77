"""Template filters that turn a stored report's codes into Chinese labels."""

from __future__ import annotations

from typing import Any

from django import template

from lantai.checks.labels import by_target
from lantai.checks.package import DIMENSION_LABELS, OUTCOME_LABELS, Dimension, Outcome
from lantai.checks.report_pdf import evidence_text, target_label

register = template.Library()


@register.filter
def outcome_label(value: str) -> str:
    try:
        return str(OUTCOME_LABELS[Outcome(value)])
    except ValueError:
        return value


@register.filter
def dimension_label(value: str) -> str:
    try:
        return str(DIMENSION_LABELS[Dimension(value)])
    except ValueError:
        return value


@register.filter
def check_target(value: str) -> str:
    return target_label(value)


@register.filter
def evidence(value: dict[str, Any]) -> str:
    return evidence_text(value or {})


@register.simple_tag
def report_sections(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Results grouped by dimension, in the DA/T 70 order (真实性, 完整性, 可用性, 安全性)."""
    results = list((report or {}).get("results", []))
    return [
        {
            "dimension": d.value,
            "label": str(DIMENSION_LABELS[d]),
            "results": [r for r in results if r["dimension"] == d],
        }
        for d in Dimension
        if any(r["dimension"] == d for r in results)
    ]


@register.simple_tag
def report_by_target(report: dict[str, Any]) -> list[dict[str, Any]]:
    return by_target((report or {}).get("results", []))
