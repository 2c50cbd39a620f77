"""Security family (4-1, 4-2): antivirus present, and every file scanned by clamd.

Without a reachable scanner the items report "not performed" with the reason, never
"passed"; the report then cannot pass while the item is blocking.
"""

from __future__ import annotations

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
    return [ctx.result(PACKAGE, Outcome.PASSED, {"engine": version})]


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
        if result.status == ScanStatus.ERROR and "StreamMaxLength" not in result.detail:
            down.append(result.detail)
        if result.status == ScanStatus.CLEAN:
            return Outcome.PASSED, {"scanner": "clamd"}
        if result.status == ScanStatus.INFECTED:
            return Outcome.FAILED, {"signature": result.signature}
        return Outcome.NOT_PERFORMED, {"reason": result.detail, "status": str(result.status)}

    if not package.files:
        return [ctx.result(PACKAGE, Outcome.PASSED, {"files": 0})]
    return ctx.per_file(package.files, scan)
