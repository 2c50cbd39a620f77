"""Verification of the audit chain: finds edited, deleted, inserted or reordered rows.

The walk recomputes every event's SM3 link in ``seq`` order and then compares the end of
the chain with ``ChainHead``. It reads the head *first* and walks only up to it, so events
committed by live writers during a long verification are not mistaken for tampering; when
the head has moved on by the end, the walk continues up to the new head.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lantai.audit.models import AuditEvent, ChainHead
from lantai.audit.services import GENESIS_HASH, compute_hash


@dataclass
class Problem:
    seq: int
    # edited | missing | broken_link | tail_missing | head_mismatch | head_missing | beyond_head
    kind: str
    message: str


@dataclass
class VerifyReport:
    checked: int = 0
    last_seq: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    report: VerifyReport
    expected_seq: int = 1
    prev_hash: str = GENESIS_HASH

    def check(self, event: AuditEvent) -> None:
        problems = self.report.problems
        if event.seq != self.expected_seq:
            problems.append(
                Problem(
                    event.seq,
                    "missing",
                    _("Events %(a)d to %(b)d are missing before event %(seq)d.")
                    % {"a": self.expected_seq, "b": event.seq - 1, "seq": event.seq},
                )
            )
        if event.prev_hash != self.prev_hash:
            problems.append(
                Problem(
                    event.seq,
                    "broken_link",
                    _("Event %(seq)d does not follow the event before it (deleted, inserted or reordered).")
                    % {"seq": event.seq},
                )
            )
        if compute_hash(event.prev_hash, event) != event.hash:
            problems.append(
                Problem(
                    event.seq,
                    "edited",
                    _("Event %(seq)d was changed after it was written.") % {"seq": event.seq},
                )
            )
        self.prev_hash = event.hash
        self.expected_seq = event.seq + 1
        self.report.checked += 1
        self.report.last_seq = event.seq

    def walk(self, upto: int | None, progress: Callable[[int], None] | None) -> None:
        qs = AuditEvent.objects.filter(seq__gt=self.report.last_seq)
        if upto is not None:
            qs = qs.filter(seq__lte=upto)
        for event in qs.order_by("seq").iterator(chunk_size=2000):
            self.check(event)
            if progress:
                progress(1)


def _head() -> ChainHead | None:
    return ChainHead.objects.filter(pk=1).first()


def verify_chain(progress: Callable[[int], None] | None = None) -> VerifyReport:
    report = VerifyReport()
    walk = _Walk(report)
    head = _head()
    if head is None:
        walk.walk(None, progress)
        if report.last_seq > 0:
            report.problems.append(
                Problem(
                    report.last_seq,
                    "head_missing",
                    _("The chain head is missing, so deleted events at the end cannot be ruled out."),
                )
            )
        return report
    while True:
        walk.walk(head.last_seq, progress)
        newer = _head()
        if newer is not None and newer.last_seq > head.last_seq:
            head = newer  # live writers moved on while we walked: follow them
            continue
        if AuditEvent.objects.filter(seq__gt=head.last_seq).exists():
            newer = _head()
            if newer is not None and newer.last_seq > head.last_seq:
                head = newer
                continue
            first = AuditEvent.objects.filter(seq__gt=head.last_seq).order_by("seq").first()
            seq = first.seq if first else head.last_seq + 1
            report.problems.append(
                Problem(
                    seq,
                    "beyond_head",
                    _("Events from %(seq)d on lie beyond the chain head (inserted without being chained).")
                    % {"seq": seq},
                )
            )
        break
    last_seq = walk.expected_seq - 1
    if head.last_seq > last_seq:
        report.problems.append(
            Problem(
                head.last_seq,
                "tail_missing",
                _("Events %(a)d to %(b)d at the end of the log are missing.")
                % {"a": last_seq + 1, "b": head.last_seq},
            )
        )
    elif head.last_hash != walk.prev_hash:
        report.problems.append(
            Problem(
                last_seq,
                "head_mismatch",
                _("The chain head does not match the last event %(seq)d.") % {"seq": last_seq},
            )
        )
    return report
