"""Verification of the audit chain: finds edited, deleted, inserted or reordered rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lantai.audit.models import AuditEvent, ChainHead
from lantai.audit.services import GENESIS_HASH, compute_hash


@dataclass
class Problem:
    seq: int
    kind: str  # edited | missing | broken_link | tail_missing | head_mismatch
    message: str


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(progress: Callable[[int], None] | None = None) -> VerifyReport:
    report = VerifyReport()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if event.seq != expected_seq:
            report.problems.append(
                Problem(
                    event.seq,
                    "missing",
                    _("Events %(a)d to %(b)d are missing before event %(seq)d.")
                    % {"a": expected_seq, "b": event.seq - 1, "seq": event.seq},
                )
            )
        if event.prev_hash != prev_hash:
            report.problems.append(
                Problem(
                    event.seq,
                    "broken_link",
                    _("Event %(seq)d does not follow the event before it (deleted, inserted or reordered).")
                    % {"seq": event.seq},
                )
            )
        if compute_hash(event.prev_hash, event) != event.hash:
            report.problems.append(
                Problem(
                    event.seq,
                    "edited",
                    _("Event %(seq)d was changed after it was written.") % {"seq": event.seq},
                )
            )
        prev_hash = event.hash
        expected_seq = event.seq + 1
        if progress:
            progress(1)
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        if head.last_seq > last_seq:
            report.problems.append(
                Problem(
                    head.last_seq,
                    "tail_missing",
                    _("Events %(a)d to %(b)d at the end of the log are missing.")
                    % {"a": last_seq + 1, "b": head.last_seq},
                )
            )
        else:
            report.problems.append(
                Problem(
                    last_seq,
                    "head_mismatch",
                    _("The chain head does not match the last event %(seq)d.") % {"seq": last_seq},
                )
            )
    return report
