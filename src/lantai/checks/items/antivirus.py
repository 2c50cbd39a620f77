"""Security family (4-1, 4-2): antivirus present, and every file scanned by clamd.

Without a reachable scanner the items report "not performed" with the reason, never
"passed"; the report then cannot pass while the item is blocking.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lantai.checks.antivirus import NoScanner, ScanStatus, get_scanner
from lantai.checks.package import FileView, Outcome, PackageView
from lantai.checks.runner import PACKAGE, CheckContext, CheckResult, register


@register("antivirus_present")
def antivirus_present(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    scanner = get_scanner()
    version = scanner.describe()
    if not version:
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": "no antivirus configured"})]
    if version.startswith("unavailable"):
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": version})]
    ctx.environment["antivirus"] = version
    evidence: dict[str, Any] = {"engine": version}
    signed = signature_date(version)
    if signed is not None:
        # Offline archives get signatures out of band; stale ones are worth a warning, not a refusal.
        age = (dt.datetime.now(dt.UTC).date() - signed).days
        evidence["signature_date"] = signed.isoformat()
        evidence["signature_age_days"] = age
        if age > int(ctx.param("max_signature_age_days", 30)):
            return [ctx.result(PACKAGE, Outcome.WARNING, evidence)]
    return [ctx.result(PACKAGE, Outcome.PASSED, evidence)]


def signature_date(version: str) -> dt.date | None:
    """The signature database date from clamd's VERSION ("ClamAV 1.4.6/27421/Mon Oct 14 08:37:02 2024");
    None when only local signature files are loaded (no official database version)."""
    parts = version.split("/")
    if len(parts) < 3:
        return None
    try:
        return dt.datetime.strptime(parts[2].strip(), "%a %b %d %H:%M:%S %Y").date()
    except ValueError:
        return None


@register("virus_scan")
def virus_scan(ctx: CheckContext, package: PackageView) -> list[CheckResult]:
    scanner = get_scanner()
    if isinstance(scanner, NoScanner):
        return [ctx.result(PACKAGE, Outcome.NOT_PERFORMED, {"reason": "no antivirus configured"})]
    down: list[str] = []  # once clamd is unreachable, the remaining files are not retried one by one

    def scan(f: FileView) -> tuple[Outcome, dict[str, Any]]:
        if down:
            return Outcome.NOT_PERFORMED, {"reason": down[0], "status": str(ScanStatus.ERROR)}
        result = scanner.scan_file(f.local_path)
        if result.status == ScanStatus.ERROR and scanner.describe().startswith("unavailable"):
            # clamd itself is gone; a per-file error (e.g. a file over StreamMaxLength, where clamd
            # drops the connection) leaves the other files to be scanned
            down.append(result.detail)
        if result.status == ScanStatus.CLEAN:
            return Outcome.PASSED, {"scanner": "clamd"}
        if result.status == ScanStatus.INFECTED:
            return Outcome.FAILED, {"signature": result.signature}
        return Outcome.NOT_PERFORMED, {"reason": result.detail, "status": str(result.status)}

    every = [*package.files, *package.structure_files]
    if not every:
        return [ctx.result(PACKAGE, Outcome.PASSED, {"files": 0})]
    return ctx.per_file(every, scan)
