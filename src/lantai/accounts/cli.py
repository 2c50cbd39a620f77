"""Accounts commands: createadmin."""

from __future__ import annotations

import argparse
import getpass
import os

from lantai.accounts import roles


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("createadmin", help="create an administrator account (system, security or audit)")
    p.add_argument("username")
    p.add_argument("--role", default=roles.SYSTEM_ADMIN, choices=list(roles.TRIO))
    p.add_argument("--display-name", default="")
    p.add_argument(
        "--password-env",
        default="LANTAI_ADMIN_PASSWORD",
        help="read the password from this environment variable instead of prompting",
    )
    p.set_defaults(func=cmd_createadmin)


def cmd_createadmin(args: argparse.Namespace) -> int:
    from django.db import transaction

    from lantai.accounts import services
    from lantai.accounts.actor import Actor

    password = os.environ.get(args.password_env) or ""
    if not password:
        password = getpass.getpass("密码 password: ")
        if password != getpass.getpass("再次输入 again: "):
            print("两次输入的密码不一致 the passwords differ")
            return 1
    system = Actor.system("cli:createadmin")
    with transaction.atomic():
        user = services.create_user(
            system, username=args.username, password=password, display_name=args.display_name
        )
        services.assign_role(system, user, args.role)
    print(f"已创建 created {args.username} ({args.role})")
    return 0
