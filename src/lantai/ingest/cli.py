"""`lantai ingest …`: submit a package from the server's disk, resume interrupted
submissions, sweep stale staging folders, show a submission."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="online archiving: submit packages, resume, sweep")
    ingest_sub = p.add_subparsers(dest="ingest_command", metavar="SUBCOMMAND", required=True)
    s = ingest_sub.add_parser("submit", help="submit a DA/T 93 folder or zip, a BagIt bag or an EEP .xml")
    s.add_argument("path", type=Path)
    s.add_argument("--institution", required=True, help="code of the submitting institution")
    s.add_argument("--kind", default="auto", choices=["auto", "dat93", "eep", "bagit"])
    s.add_argument("--fonds", default="", help="fonds code (else read from the package)")
    s.add_argument("--category", default="", help="category code, e.g. WS (else read from the package)")
    s.add_argument("--package-id", default="", help="package id (else read from the package)")
    s.add_argument("--json", action="store_true", help="print the submission as JSON")
    s.set_defaults(func=cmd_submit)
    r = ingest_sub.add_parser("resume", help="finish submissions left in checking by a stopped process")
    r.set_defaults(func=cmd_resume)
    w = ingest_sub.add_parser("sweep", help="remove stale staging folders")
    w.add_argument("--hours", type=int, default=None)
    w.set_defaults(func=cmd_sweep)


def cmd_submit(args: argparse.Namespace) -> int:
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import Institution
    from lantai.core.errors import NotFound
    from lantai.ingest import services
    from lantai.ingest.api import submission_detail

    institution = Institution.objects.filter(code=args.institution, is_active=True).first()
    if institution is None:
        raise NotFound(code="accounts.unknown_institution")
    if not args.path.exists():
        raise NotFound(code="ingest.path_not_found", details={"path": str(args.path)})
    # The operator at the server's console acts for the institution, like its API key would.
    actor = Actor(
        kind="system",
        id=f"cli:{institution.code}",
        name=f"cli:ingest:{institution.code}",
        permissions=frozenset({"ingest.submit"}),
        institution_scope=frozenset({institution.pk}),
        clearance=1,
        institution_id=institution.pk,
    )
    form = {"fonds_code": args.fonds, "category_code": args.category, "package_id": args.package_id}
    sub, created = services.submit_package(actor, args.path.resolve(), kind=args.kind, form=form)
    detail = submission_detail(sub)
    if args.json:
        print(json.dumps(detail, ensure_ascii=False, default=str, indent=2))
    else:
        state = "新提交 new" if created else "已存在 existing"
        print(f"{state}: {sub.public_id} {sub.package_id} → {sub.get_status_display()} ({sub.status})")
        for f in detail["failed"]:
            print(f"  不通过 failed: {f['code']} {f['target']}")
    return 0 if sub.status != "failed" else 4


def cmd_resume(args: argparse.Namespace) -> int:
    from lantai.ingest.pipeline import resume_pending

    done = resume_pending()
    for sub in done:
        print(f"{sub.public_id} → {sub.status}")
    print(f"已恢复 resumed: {len(done)}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from lantai.ingest.staging import sweep_stale

    removed = sweep_stale(args.hours)
    print(f"已清理 removed: {len(removed)}")
    return 0
