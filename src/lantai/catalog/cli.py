"""Catalogue commands: `lantai catalogue import | export | print | fonds-add` (thin: parse, call
the importing/exporting/printing services, report)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

SHOWN_ERRORS = 20


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalogue", aliases=["catalog"], help="catalogue: import, export and print lists")
    cmds = p.add_subparsers(dest="catalogue_command", metavar="ACTION", required=True)

    imp = cmds.add_parser("import", help="import items from an .xlsx or .csv file (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--fonds", required=True, help="fonds code (全宗号), e.g. Z109")
    imp.add_argument("--category", required=True, help="category code (门类代码), e.g. WS, ZP, LY")
    imp.add_argument("--dry-run", action="store_true", help="check only: preview and errors, write nothing")
    imp.add_argument("--report", type=Path, help="where to write the error report (.xlsx)")
    imp.add_argument("--user", help="act as this user (default: the system)")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)

    exp = cmds.add_parser("export", help="export a filtered item list to .xlsx")
    exp.add_argument("-o", "--output", type=Path, required=True)
    for name in ("fonds", "category", "year", "retention", "open_status", "security_level", "q"):
        exp.add_argument(f"--{name.replace('_', '-')}", dest=name, default="")
    exp.add_argument("--user")
    exp.set_defaults(func=cmd_export)

    prn = cmds.add_parser(
        "print", help="print 归档文件目录 (catalogue), 备考表 (notes) or 盒脊 (spines) as PDF"
    )
    prn.add_argument("form", choices=["catalogue", "notes", "spines"])
    prn.add_argument("--fonds", required=True)
    prn.add_argument("--category", default="")
    prn.add_argument("--year", type=int)
    prn.add_argument("--retention", default="")
    prn.add_argument("--org", default="", help="机构(问题)代码")
    prn.add_argument("--per-box", type=int, default=30, help="items per box when no 盒号 is recorded")
    prn.add_argument("--spine-width", type=int, default=30, choices=[20, 30, 40, 50], help="mm")
    prn.add_argument("--arranged-by", default="")
    prn.add_argument("--checked-by", default="")
    prn.add_argument("-o", "--output", type=Path, required=True)
    prn.add_argument("--user")
    prn.set_defaults(func=cmd_print)

    fa = cmds.add_parser("fonds-add", help="create a fonds (全宗)")
    fa.add_argument("code")
    fa.add_argument("name")
    fa.add_argument("--institution", required=True, help="institution code of the creating agency or holder")
    fa.add_argument("--user")
    fa.set_defaults(func=cmd_fonds_add)


def _actor(username: str | None, purpose: str) -> Any:
    from lantai.accounts.actor import Actor
    from lantai.accounts.models import User
    from lantai.core.errors import NotFound

    if not username:
        return Actor.system(f"cli:catalogue {purpose}")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound()
    return Actor.for_user(user)


def _target(actor: Any, fonds_code: str, category_code: str) -> tuple[Any, Any]:
    from lantai.catalog import queries

    return queries.fonds_by_code(actor, fonds_code), queries.category_by_code(category_code)


class _Bars:
    """tqdm bars for the check and write passes (rows/s)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bars.get(phase)
        if bar is None:
            desc = "校验 check" if phase == "check" else "写入 write"
            bar = self.bars[phase] = tqdm(total=total, desc=desc, unit="行", unit_scale=True, file=sys.stderr)
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _report_path(args: argparse.Namespace) -> Path:
    if args.report:
        return Path(args.report)
    return args.file.with_name(f"{args.file.stem}-错误报告.xlsx")


def _print_errors(errors: list[Any], count: int) -> None:
    for e in errors[:SHOWN_ERRORS]:
        where = f"第 {e.row} 行 row {e.row}" if e.row else "文件 file"
        print(f"  {where} [{e.column}] {e.rule_label} ({e.code}): {e.message}", file=sys.stderr)
    if count > SHOWN_ERRORS:
        print(f"  … 共 {count} 个错误 errors in total", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from lantai.catalog import importing

    actor = _actor(args.user, "import")
    fonds, category = _target(actor, args.fonds, args.category)
    bars = _Bars(not args.no_progress and sys.stderr.isatty())
    try:
        result = importing.import_file(
            actor, args.file, fonds=fonds, category=category, dry_run=args.dry_run, progress=bars
        )
    except importing.ImportRejected as exc:
        bars.close()
        errors = [
            importing.RowError(**{k: e[k] for k in ("row", "column", "rule", "value", "message")})
            for e in exc.details["errors"]
        ]
        report = _report_path(args)
        importing.write_error_report(errors, report, exc.details["error_count"])
        _print_errors(errors, exc.details["error_count"])
        print(f"错误报告 error report: {report}", file=sys.stderr)
        # The rows are listed above; the dict of details the generic handler prints would repeat them.
        print(f"错误 error [{exc.code}]: {exc.message}", file=sys.stderr)
        return 1
    finally:
        bars.close()
    print(f"文件 file: {result.file_name}  SM3: {result.sm3}")
    print(f"列 columns: {', '.join(f'{h}→{c}' for h, c in result.columns.items())}")
    if result.ignored_headers:
        print(f"未识别的列（已忽略） ignored columns: {', '.join(result.ignored_headers)}")
    print(f"行 rows: {result.total_rows}  有效 valid: {result.valid_rows}  错误 errors: {result.error_count}")
    if result.errors:
        report = _report_path(args)
        importing.write_error_report(result.errors, report, result.error_count)
        _print_errors(result.errors, result.error_count)
        print(f"错误报告 error report: {report}", file=sys.stderr)
        return 1
    if args.dry_run:
        print("试导入：未写入任何条目 dry run: nothing written")
        return 0
    print(f"已导入 imported: {result.created} 件 items into {fonds.code} {category.code}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from lantai.catalog import exporting

    actor = _actor(args.user, "export")
    filters = {k: getattr(args, k) for k in ("fonds", "category", "year", "retention", "open_status", "q")}
    filters["security_level"] = args.security_level
    result = exporting.export_items(actor, filters)
    try:
        shutil.move(str(result.path), args.output)
    finally:
        result.path.unlink(missing_ok=True)
    print(f"已导出 exported: {result.rows} 行 rows → {args.output}")
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    from lantai.catalog import printing, queries

    actor = _actor(args.user, "print")
    fonds = queries.fonds_by_code(actor, args.fonds)
    selection = printing.Selection(fonds, args.category, args.year, args.retention, args.org)
    signing = printing.NotesSigning(arranged_by=args.arranged_by, checked_by=args.checked_by)
    pdf, name = printing.print_pdf(
        actor, selection, args.form, signing=signing, per_box=args.per_box, spine_width_mm=args.spine_width
    )
    args.output.write_bytes(pdf)
    print(f"{name}: {args.output} ({len(pdf) // 1024} KB)")
    return 0


def cmd_fonds_add(args: argparse.Namespace) -> int:
    from django.db import transaction

    from lantai.accounts.models import Institution
    from lantai.catalog import services
    from lantai.core.errors import NotFound

    actor = _actor(args.user, "fonds-add")
    institution = Institution.objects.filter(code=args.institution).first()
    if institution is None:
        raise NotFound()
    with transaction.atomic():
        fonds = services.create_fonds(actor, code=args.code, name=args.name, institution=institution)
    print(f"已创建全宗 created fonds: {fonds.code} {fonds.name}")
    return 0
