"""Running a check scheme over a package: load the scheme, call each automatic item's runner,
list manual items as pending, and persist the report.

``run_checks`` is pure (reads files, writes no rows); ``save_report`` writes the run, its
results and one ``checks.run`` audit event inside the caller's transaction. Runners live in
``lantai.checks.items.*`` and register themselves in ``RUNNERS`` under the key a
``CheckItem.runner`` names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.audit import services as audit
from lantai.checks.package import FileView, Outcome, PackageView
from lantai.core.errors import LantaiError

REPORT_VERSION = 1


class CheckSchemeMissing(LantaiError):
    code = "checks.no_scheme"
    http_status = 500
    default_message = _("No active check scheme for stage %(stage)s and category %(category)s.")


@dataclass
class CheckResult:
    code: str
    name: str
    dimension: str  # authenticity | integrity | usability | security
    target: str  # "package" | f"item:{seq}" | f"file:{path}"
    outcome: Outcome
    evidence: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    blocking: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "dimension": self.dimension,
            "target": self.target,
            "outcome": str(self.outcome),
            "evidence": self.evidence,
            "rule": self.rule,
            "blocking": self.blocking,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            code=data["code"],
            name=data["name"],
            dimension=data["dimension"],
            target=data["target"],
            outcome=Outcome(data["outcome"]),
            evidence=dict(data.get("evidence") or {}),
            rule=data.get("rule", ""),
            blocking=bool(data.get("blocking", True)),
        )


@dataclass
class CheckReport:
    stage: str
    scheme_code: str
    category_code: str
    results: list[CheckResult]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    environment: dict[str, Any] = field(default_factory=dict)  # e.g. antivirus engine version
    institution_id: int | None = None  # the sending institution (data scope of the stored run)

    @property
    def outcome(self) -> str:
        """failed if a blocking item failed; manual if a manual item is pending or a blocking item
        could not be performed (e.g. no antivirus) and none failed; else passed."""
        if any(r.blocking and r.outcome == Outcome.FAILED for r in self.results):
            return "failed"
        if any(
            r.outcome == Outcome.MANUAL or (r.blocking and r.outcome == Outcome.NOT_PERFORMED)
            for r in self.results
        ):
            return "manual"
        return "passed"

    def failed_codes(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.results:
            if r.blocking and r.outcome == Outcome.FAILED:
                seen.setdefault(r.code, None)
        return list(seen)

    def failures(self) -> list[dict[str, str]]:
        """(code, target) of every blocking failure: what ingest puts in its error details."""
        return [
            {"code": r.code, "target": r.target}
            for r in self.results
            if r.blocking and r.outcome == Outcome.FAILED
        ]

    def summary(self) -> dict[str, Any]:
        counts = Counter(str(r.outcome) for r in self.results)
        by_dimension: dict[str, Counter[str]] = {}
        for r in self.results:
            by_dimension.setdefault(r.dimension, Counter())[str(r.outcome)] += 1
        return {
            "outcome": self.outcome,
            "counts": {str(o): counts.get(str(o), 0) for o in Outcome},
            "by_dimension": {d: dict(c) for d, c in by_dimension.items()},
            "failed_codes": self.failed_codes(),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "stage": self.stage,
            "scheme": self.scheme_code,
            "category": self.category_code,
            "outcome": self.outcome,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "environment": self.environment,
            "institution_id": self.institution_id,
            "summary": self.summary(),
            "results": [r.to_json() for r in self.results],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckReport:
        return cls(
            stage=data.get("stage", ""),
            scheme_code=data.get("scheme", ""),
            category_code=data.get("category", ""),
            results=[CheckResult.from_json(r) for r in data.get("results", [])],
            started_at=datetime.fromisoformat(data["started_at"]),
            finished_at=datetime.fromisoformat(data["finished_at"]),
            environment=dict(data.get("environment") or {}),
            institution_id=data.get("institution_id"),
        )


@dataclass
class SchemeEntry:
    """A scheme item with its effective flags, detached from the ORM for the runners."""

    code: str
    name: str
    dimension: str
    object: str
    automatic: bool
    blocking: bool
    runner: str
    rule: str
    params: dict[str, Any]


@dataclass
class CheckContext:
    package: PackageView
    entry: SchemeEntry
    shared: dict[str, Any]  # per-run cache: format identification etc. computed once per file
    environment: dict[str, Any]

    def result(self, target: str, outcome: Outcome, evidence: dict[str, Any] | None = None) -> CheckResult:
        return CheckResult(
            code=self.entry.code,
            name=self.entry.name,
            dimension=self.entry.dimension,
            target=target,
            outcome=outcome,
            evidence=evidence or {},
            rule=self.entry.rule,
            blocking=self.entry.blocking,
        )

    def param(self, name: str, default: Any = None) -> Any:
        return self.entry.params.get(name, default)

    def per_file(
        self, files: Iterable[FileView], check: Callable[[FileView], tuple[Outcome, dict[str, Any]]]
    ) -> list[CheckResult]:
        """One result per file; a file whose check raises fails alone, the run goes on."""
        out = []
        for f in files:
            try:
                outcome, evidence = check(f)
            except Exception as exc:
                outcome, evidence = Outcome.FAILED, {"error": type(exc).__name__, "detail": str(exc)[:300]}
            out.append(self.result(file_target(f.path), outcome, evidence))
        return out


Runner = Callable[[CheckContext, PackageView], list[CheckResult]]
RUNNERS: dict[str, Runner] = {}


def register(key: str) -> Callable[[Runner], Runner]:
    def wrap(fn: Runner) -> Runner:
        RUNNERS[key] = fn
        return fn

    return wrap


def file_target(path: str) -> str:
    return f"file:{path}"


def item_target(seq: int) -> str:
    return f"item:{seq}"


PACKAGE = "package"


def load_entries(
    stage: str, category_code: str, scheme_code: str | None = None
) -> tuple[str, list[SchemeEntry]]:
    from lantai.checks.models import CheckScheme

    schemes = CheckScheme.objects.filter(is_active=True)
    scheme: CheckScheme | None
    if scheme_code:
        scheme = schemes.filter(code=scheme_code).first()
    else:
        scheme = (
            schemes.filter(stage=stage, category__code=category_code).order_by("code").first()
            or schemes.filter(stage=stage, category__isnull=True).order_by("code").first()
        )
    if scheme is None:
        raise CheckSchemeMissing(stage=stage, category=category_code or "-")
    entries = []
    for e in (
        scheme.entries.select_related("item").filter(item__is_active=True).order_by("order", "item__code")
    ):
        it = e.item
        entries.append(
            SchemeEntry(
                code=it.code,
                name=it.name,
                dimension=it.dimension,
                object=it.object,
                automatic=it.automatic and bool(it.runner),
                blocking=e.effective_blocking(),
                runner=it.runner,
                rule=it.method or it.purpose,
                params=e.effective_params(),
            )
        )
    return scheme.code, entries


def run_checks(package: PackageView, *, scheme_code: str | None = None) -> CheckReport:
    """Run every active item of the scheme for (stage, category); reads files, writes no rows."""
    import lantai.checks.items  # noqa: F401 - registers the runners

    started = datetime.now(UTC)
    code, entries = load_entries(package.stage, package.category_code, scheme_code)
    shared: dict[str, Any] = {}
    environment: dict[str, Any] = {}
    results: list[CheckResult] = []
    for entry in entries:
        ctx = CheckContext(package, entry, shared, environment)
        if not entry.automatic:
            results.append(ctx.result(PACKAGE, Outcome.MANUAL, {"reason": "manual item"}))
            continue
        fn = RUNNERS.get(entry.runner)
        if fn is None:
            results.append(
                ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": f"no runner {entry.runner!r}"})
            )
            continue
        try:
            produced = fn(ctx, package)
        except Exception as exc:
            produced = [
                ctx.result(PACKAGE, Outcome.FAILED, {"error": type(exc).__name__, "detail": str(exc)[:300]})
            ]
        results.extend(produced)
    return CheckReport(
        stage=package.stage,
        scheme_code=code,
        category_code=package.category_code,
        results=results,
        started_at=started,
        finished_at=datetime.now(UTC),
        environment=environment,
        institution_id=package.institution_id,
    )


def save_report(
    report: CheckReport, *, subject_type: str, subject_id: str, actor: Actor | None = None
) -> Any:
    """Persist the run and its results with one ``checks.run`` audit event (caller's transaction)."""
    from lantai.checks.models import CheckResult as ResultRow
    from lantai.checks.models import CheckRun, CheckScheme

    with transaction.atomic():
        summary = report.summary()
        run = CheckRun.objects.create(
            subject_type=subject_type,
            subject_id=str(subject_id),
            stage=report.stage,
            scheme=CheckScheme.objects.filter(code=report.scheme_code).first(),
            scheme_code=report.scheme_code,
            institution_id=report.institution_id,
            started_at=report.started_at,
            finished_at=report.finished_at,
            outcome=report.outcome,
            summary=summary,
            report=report.to_json(),
        )
        ResultRow.objects.bulk_create(
            [
                ResultRow(
                    run=run,
                    code=r.code,
                    name=r.name,
                    dimension=r.dimension,
                    target=r.target[:1100],
                    outcome=str(r.outcome),
                    evidence=r.evidence,
                    rule=r.rule,
                    blocking=r.blocking,
                    position=i,
                )
                for i, r in enumerate(report.results)
            ]
        )
        audit.record(
            actor or Actor.system("checks"),
            "checks.run",
            object_type=subject_type,
            object_id=subject_id,
            institution_id=report.institution_id,
            after={"run": str(run.public_id), "scheme": report.scheme_code, **summary},
        )
    return run


def render_report_pdf(report: CheckReport, title: str) -> bytes:
    from lantai.checks.report_pdf import render

    return render(report, title)
