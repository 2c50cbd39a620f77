"""档号 (archival codes): render, parse and validate codes from a rule's component list, and
allocate numbers gaplessly per class under a row lock.

A rule is an ordered list of components (see ``ArchivalCodeRule``). Value components take
their text from ``values`` under the component's kind (``fonds_code``, ``category_code``,
``year``, ``retention_code``, ``org_code``, ``volume_number``, ``number`` and any other kind,
e.g. ``project_code``, ``sub_category``); ``sep`` and ``literal`` components are fixed text.
A component with ``"optional": true`` (``org_code`` by default) is left out together with the
separator before it when its value is empty, which is how DA/T 22-2015 treats 机构(问题).

The counter component is ``number`` (item levels) or else ``volume_number`` (volume level);
everything else rendered is the class key that scopes the counter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lantai.catalog.errors import (
    ArchivalCodeIncomplete,
    ArchivalCodeInvalid,
    CodeRuleInvalid,
    DuplicateArchivalCode,
    NoCodeRule,
)

if TYPE_CHECKING:
    from lantai.catalog.models import ArchivalCodeRule, Category, Fonds

FIXED_KINDS = {"sep", "literal"}
NUMBER_KINDS = {"number", "volume_number"}
KNOWN_KINDS = {
    "fonds_code",
    "category_code",
    "year",
    "retention_code",
    "org_code",
    "volume_number",
    "number",
    "project_code",
    "sub_category",
    "catalogue_number",
    "group_number",
    "sep",
    "literal",
}
OPTIONAL_BY_DEFAULT = {"org_code"}
# Aliases so callers may pass values straight from an item's cleaned metadata.
VALUE_ALIASES = {"retention_code": "retention"}
KIND_LABELS = {
    "fonds_code": _("fonds code"),
    "category_code": _("category code"),
    "year": _("year"),
    "retention_code": _("retention code"),
    "org_code": _("organisation code"),
    "volume_number": _("volume number"),
    "number": _("item number"),
    "project_code": _("project code"),
    "sub_category": _("sub-category"),
    "catalogue_number": _("catalogue number"),
    "group_number": _("group number"),
}
MAX_NUMBER_WIDTH = 8


def _is_optional(component: Mapping[str, Any]) -> bool:
    return bool(component.get("optional", component.get("kind") in OPTIONAL_BY_DEFAULT))


def validate_components(components: list[dict[str, Any]]) -> None:
    """Refuse a rule that could not be rendered and parsed back unambiguously."""
    if not isinstance(components, list) or not components:
        raise CodeRuleInvalid(_("The rule has no components."))
    previous_is_value = False
    counters = 0
    seen: set[str] = set()
    for position, component in enumerate(components, start=1):
        if not isinstance(component, dict) or "kind" not in component:
            raise CodeRuleInvalid(_("Component %(position)s has no kind."), position=position)
        kind = component["kind"]
        if kind not in KNOWN_KINDS:
            raise CodeRuleInvalid(
                _("Component %(position)s has an unknown kind “%(kind)s”."), position=position, kind=kind
            )
        if kind in FIXED_KINDS:
            value = component.get("value")
            if not isinstance(value, str) or not value.strip():
                raise CodeRuleInvalid(_("Component %(position)s needs a text value."), position=position)
            if kind == "sep" and any(ch.isalnum() or ch.isspace() for ch in value):
                raise CodeRuleInvalid(
                    _("Separator %(position)s may not contain letters, digits or spaces."), position=position
                )
            previous_is_value = False
            continue
        if kind in seen:
            raise CodeRuleInvalid(_("The component “%(kind)s” appears twice."), kind=kind)
        seen.add(kind)
        if previous_is_value:
            raise CodeRuleInvalid(
                _("Components %(position)s and the one before it need a separator between them."),
                position=position,
            )
        if kind in NUMBER_KINDS:
            width = component.get("width", 1)
            if not isinstance(width, int) or not 1 <= width <= MAX_NUMBER_WIDTH:
                raise CodeRuleInvalid(
                    _("Component %(position)s needs a width from 1 to 8."), position=position
                )
        if kind == "number" or (
            kind == "volume_number" and not any(c.get("kind") == "number" for c in components)
        ):
            counters += 1
        previous_is_value = True
    if counters != 1:
        raise CodeRuleInvalid(_("The rule needs exactly one item number or volume number."))
    if _is_optional(components[0]):
        raise CodeRuleInvalid(_("The first component cannot be optional."))


def counter_kind(components: list[dict[str, Any]]) -> str:
    kinds = {c.get("kind") for c in components}
    return "number" if "number" in kinds else "volume_number"


def separators(components: list[dict[str, Any]]) -> str:
    return "".join(
        sorted({ch for c in components if c.get("kind") == "sep" for ch in str(c.get("value", ""))})
    )


def _value_of(values: Mapping[str, Any], kind: str) -> Any:
    value = values.get(kind)
    if value is None and kind in VALUE_ALIASES:
        value = values.get(VALUE_ALIASES[kind])
    if value is not None and hasattr(value, "code") and not isinstance(value, str | int):
        value = value.code  # a RetentionPeriod, Category or Fonds row
    return value


def _text_of(component: Mapping[str, Any], values: Mapping[str, Any], seps: str) -> str:
    kind = component["kind"]
    value = _value_of(values, kind)
    if kind in NUMBER_KINDS:
        if value is None or value == "":
            return ""
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ArchivalCodeIncomplete(
                _("The %(part)s “%(value)s” is not a whole number."), part=KIND_LABELS[kind], value=value
            ) from None
        if number < 1:
            raise ArchivalCodeIncomplete(_("The %(part)s must be 1 or more."), part=KIND_LABELS[kind])
        return str(number).zfill(int(component.get("width", 1)))
    text = "" if value is None else str(value).strip()
    if kind == "year" and text and not re.fullmatch(r"\d{4}", text):
        raise ArchivalCodeIncomplete(_("The year “%(value)s” must have four digits."), value=text)
    if text and (any(ch in seps for ch in text) or any(ch.isspace() for ch in text)):
        raise ArchivalCodeIncomplete(
            _("The %(part)s “%(value)s” may not contain a separator or a space."),
            part=KIND_LABELS.get(kind, kind),
            value=text,
        )
    return text


def _render(components: list[dict[str, Any]], values: Mapping[str, Any], skip: str | None) -> str:
    seps = separators(components)
    out: list[str] = []
    pending_sep = ""
    for component in components:
        kind = component["kind"]
        if kind == "sep":
            pending_sep += str(component["value"])
            continue
        if kind == "literal":
            out.append(pending_sep + str(component["value"]))
            pending_sep = ""
            continue
        if kind == skip:
            out.append(pending_sep + "#")
            pending_sep = ""
            continue
        text = _text_of(component, values, seps)
        if not text:
            if _is_optional(component):
                # Drop the component and the separator before it (DA/T 22-2015 机构 omitted).
                pending_sep = ""
                continue
            raise ArchivalCodeIncomplete(
                _("The %(part)s is needed to form the archival code."),
                part=KIND_LABELS.get(kind, kind),
                details={"component": kind},
            )
        out.append(pending_sep + text)
        pending_sep = ""
    return "".join(out) + pending_sep


def render(components: list[dict[str, Any]], values: Mapping[str, Any]) -> str:
    """The 档号 for ``values``; raises catalog.archival_code_incomplete when a required value is
    missing or contains a separator."""
    return _render(components, values, skip=None)


def class_key(components: list[dict[str, Any]], values: Mapping[str, Any]) -> str:
    """The code with the counter replaced by ``#``: the scope within which numbers run."""
    return _render(components, values, skip=counter_kind(components))


@lru_cache(maxsize=256)
def _pattern(spec: str) -> re.Pattern[str]:
    import json

    components: list[dict[str, Any]] = json.loads(spec)
    seps = separators(components)
    free = f"[^{re.escape(seps)}\\s]+" if seps else r"\S+"
    parts: list[str] = []
    pending = ""
    for component in components:
        kind = component["kind"]
        if kind == "sep":
            pending += re.escape(str(component["value"]))
            continue
        if kind == "literal":
            parts.append(pending + re.escape(str(component["value"])))
            pending = ""
            continue
        if kind in NUMBER_KINDS:
            body = f"\\d{{{int(component.get('width', 1))},}}"
        elif kind == "year":
            body = r"\d{4}"
        else:
            body = free
        group = f"(?P<{kind}>{body})"
        if _is_optional(component):
            parts.append(f"(?:{pending}{group})?")
        else:
            parts.append(pending + group)
        pending = ""
    return re.compile("^" + "".join(parts) + pending + "$")


def parse(components: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """Split a 档号 into its component values (numbers and year as int, a missing optional
    component as ""); raises catalog.archival_code_invalid when it does not fit the rule."""
    import json

    validate_components(components)
    text = (code or "").strip()
    match = _pattern(json.dumps(components, sort_keys=True, ensure_ascii=False)).match(text)
    if match is None:
        raise ArchivalCodeInvalid(
            _("“%(value)s” does not follow the archival code rule (e.g. %(example)s)."),
            value=text,
            example=example(components),
            details={"code": text},
        )
    result: dict[str, Any] = {}
    for kind, value in match.groupdict().items():
        if kind in NUMBER_KINDS or kind == "year":
            result[kind] = int(value) if value is not None else None
        else:
            result[kind] = value or ""
    if any(result.get(k) == 0 for k in NUMBER_KINDS):
        raise ArchivalCodeInvalid(_("“%(value)s”: numbers start at 1."), value=text, details={"code": text})
    return result


SAMPLE_VALUES: dict[str, Any] = {
    "fonds_code": "Z109",
    "category_code": "WS",
    "year": 2011,
    "retention_code": "Y",
    "org_code": "BGS",
    "volume_number": 1,
    "number": 1,
    "project_code": "01",
    "sub_category": "JC",
    "catalogue_number": "001",
    "group_number": "025",
}


def example(components: list[dict[str, Any]], values: Mapping[str, Any] | None = None) -> str:
    """A sample rendering for help texts and the rule editor's preview."""
    merged = dict(SAMPLE_VALUES)
    merged.update(values or {})
    try:
        return render(components, merged)
    except ArchivalCodeIncomplete:
        return ""


def rule_example(rule: ArchivalCodeRule) -> str:
    """A sample code in the rule's own fonds and category."""
    own = {"category_code": rule.category.code}
    if rule.fonds_id is not None and rule.fonds is not None:
        own["fonds_code"] = rule.fonds.code
    return example(rule.components, own)


def rule_for(fonds: Fonds, category: Category, level: str = "item") -> ArchivalCodeRule:
    """The fonds' own active rule for the category and level, else the category's default."""
    from lantai.catalog.models import ArchivalCodeRule

    rules = ArchivalCodeRule.objects.filter(category=category, level=level, is_active=True).filter(
        Q(fonds=fonds) | Q(fonds__isnull=True)
    )
    chosen = None
    for rule in rules:
        if rule.fonds_id is not None:
            return rule
        chosen = rule
    if chosen is None:
        raise NoCodeRule(details={"fonds": fonds.code, "category": category.code, "level": level})
    return chosen


def _locked_counter(rule: ArchivalCodeRule, scope: str) -> Any:
    from lantai.catalog.models import ArchivalCodeCounter

    counter, _created = ArchivalCodeCounter.objects.get_or_create(rule=rule, scope_key=scope)
    return ArchivalCodeCounter.objects.select_for_update().get(pk=counter.pk)


def allocate(rule: ArchivalCodeRule, values: Mapping[str, Any], count: int = 1) -> list[int]:
    """The next ``count`` numbers of the class, gapless. The counter row is locked (SELECT …
    FOR UPDATE) until the caller's transaction ends, so concurrent callers queue; a rollback
    gives the numbers back."""
    if count < 1:
        return []
    scope = class_key(rule.components, values)
    from lantai.catalog.models import ArchivalCodeCounter

    with transaction.atomic():
        counter = _locked_counter(rule, scope)
        # The UPDATE also takes SQLite's write lock, where FOR UPDATE is a no-op.
        ArchivalCodeCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + count)
        last = ArchivalCodeCounter.objects.values_list("last_number", flat=True).get(pk=counter.pk)
    return list(range(last - count + 1, last + 1))


def code_in_use(rule: ArchivalCodeRule, code: str, exclude_pk: int | None = None) -> bool:
    from lantai.catalog.models import Item, Volume

    model = Volume if rule.level == "volume" else Item
    qs = model.objects.filter(archival_code=code)  # type: ignore[attr-defined]
    if rule.fonds_id is not None:
        qs = qs.filter(fonds_id=rule.fonds_id)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return bool(qs.exists())


def reserve(
    rule: ArchivalCodeRule, values: Mapping[str, Any], number: int, exclude_pk: int | None = None
) -> None:
    """Record an explicitly given number as used: refused when its code is taken, and the
    counter moves past it so that later allocations do not collide."""
    kind = counter_kind(rule.components)
    code = render(rule.components, {**values, kind: number})
    if code_in_use(rule, code, exclude_pk):
        raise DuplicateArchivalCode(
            _("The archival code %(value)s is already in use."), value=code, details={"archival_code": code}
        )
    scope = class_key(rule.components, values)
    from lantai.catalog.models import ArchivalCodeCounter

    with transaction.atomic():
        counter = _locked_counter(rule, scope)
        if counter.last_number < number:
            ArchivalCodeCounter.objects.filter(pk=counter.pk).update(last_number=number)
