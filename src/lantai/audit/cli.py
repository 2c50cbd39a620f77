"""Audit commands: `lantai audit verify` (exit 0 when the chain is intact, 3 when not)."""

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

    from lantai.audit.models import AuditEvent, ChainHead
    from lantai.audit.verify import verify_chain

    total = AuditEvent.objects.count()
    with tqdm(total=total, unit="条", desc="核验审计日志 verifying", disable=args.quiet) as bar:
        report = verify_chain(progress=bar.update)
    if report.ok:
        head = ChainHead.objects.filter(pk=1).first()
        print(f"审计日志完好 audit log intact: {report.checked} 条事件 events verified")
        if head is not None and head.last_seq:
            # Worth writing down outside the database: it anchors everything up to this event.
            print(f"链头 chain head: #{head.last_seq} {head.last_hash}")
        return 0
    count = len(report.problems)
    print(f"审计日志被篡改 audit log TAMPERED: {count} 处问题 problem(s) in {report.checked} events")
    for problem in report.problems:
        print(f"  事件 event #{problem.seq} [{problem.kind}] {problem.message}")
    return 3
