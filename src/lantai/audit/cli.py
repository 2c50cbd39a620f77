"""Audit commands: `lantai audit verify`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="audit log tools")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    v = audit_sub.add_parser(
        "verify", help="check the hash chain; name every edited, deleted or reordered event"
    )
    v.add_argument("--quiet", action="store_true", help="no progress bar")
    v.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from lantai.audit.models import AuditEvent
    from lantai.audit.verify import verify_chain

    total = AuditEvent.objects.count()
    with tqdm(total=total, unit="条", desc="核验审计日志 verifying", disable=args.quiet) as bar:
        report = verify_chain(progress=bar.update)
    if report.ok:
        print(f"审计日志完好 audit log intact: {report.checked} 条事件 events verified")
        return 0
    count = len(report.problems)
    print(f"审计日志被篡改 audit log TAMPERED: {count} 处问题 problem(s) in {report.checked} events")
    for problem in report.problems:
        print(f"  事件 event #{problem.seq} [{problem.kind}] {problem.message}")
    return 3
