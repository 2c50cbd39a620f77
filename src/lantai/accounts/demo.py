"""Demo accounts: a county archive, its creating agencies, the three administrators and
business users."""

from __future__ import annotations

from lantai.accounts import roles, services
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution

# Demo accounts share one documented password; they exist only in demo databases.
DEMO_PASSWORD = "Lantai@2026"  # noqa: S105 - documented demo password, not a secret

DEMO_INSTITUTIONS = [
    # code, name, kind, parent code
    ("QXDAG", "清溪县档案馆", Institution.Kind.ARCHIVE, None),
    ("QXZF", "清溪县人民政府办公室", Institution.Kind.CREATOR, "QXDAG"),
    ("QXJY", "清溪县教育局", Institution.Kind.CREATOR, "QXDAG"),
    ("QXWL", "清溪县文化广电旅游局", Institution.Kind.CREATOR, "QXDAG"),
]

DEMO_USERS = [
    # username, display name, role, institution code (None: whole system)
    ("admin", "系统管理员", roles.SYSTEM_ADMIN, "QXDAG"),
    ("secadmin", "安全保密管理员", roles.SECURITY_ADMIN, "QXDAG"),
    ("auditor", "安全审计员", roles.AUDIT_ADMIN, "QXDAG"),
    ("archivist", "李档案", roles.ARCHIVIST, "QXDAG"),
    ("approver", "王审核", roles.APPROVER, "QXDAG"),
    ("reader", "张利用", roles.READER, "QXDAG"),
]


def load() -> None:
    system = Actor.system("demo")
    created: dict[str, Institution] = {}
    for code, name, kind, parent in DEMO_INSTITUTIONS:
        created[code] = Institution.objects.filter(code=code).first() or services.create_institution(
            system, code=code, name=name, kind=kind, parent=created.get(parent) if parent else None
        )
    for username, display, role, inst in DEMO_USERS:
        user = services.create_user(
            system,
            username=username,
            password=DEMO_PASSWORD,
            display_name=display,
            institution=created[inst] if inst else None,
            clearance=2 if role == roles.ARCHIVIST else 1,
        )
        # Business roles reach the archive and, through it, every creating agency under it.
        services.assign_role(system, user, role, None if role in roles.TRIO else created["QXDAG"])
