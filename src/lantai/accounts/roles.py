"""The built-in roles and permission codes (seeded as data; administrators may add roles).

三员分立: the system administrator, the security administrator and the audit administrator
are held by three different accounts, and none of them reads archive content by default.
"""

from __future__ import annotations

from typing import TypedDict


class RoleSpec(TypedDict):
    code: str
    name: str
    name_en: str
    is_trio: bool
    permissions: list[str]
    description: str


SYSTEM_ADMIN = "system_admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"
ARCHIVIST = "archivist"
APPROVER = "approver"
READER = "reader"

TRIO = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)

# Permission codes. The three administrators never hold a content permission (below):
# catalog.configure is configuration (fonds, categories, archival-code rules), not content.
PERMISSIONS: dict[str, str] = {
    "system.configure": "配置系统（全宗、门类、元数据方案、档号规则、检测方案）",
    "accounts.manage_users": "管理用户与机构",
    "accounts.assign_roles": "分配角色与密级",
    "apikeys.manage": "管理 API 密钥",
    "audit.view": "查阅审计日志",
    "catalog.view": "查看档案目录",
    "catalog.view_open": "查看已开放档案",
    "catalog.edit": "著录与整理",
    "catalog.import": "导入目录",
    "catalog.export": "导出与打印",
    "catalog.configure": "维护全宗、门类与档号规则",
    "ingest.review": "审核在线归档",
    "ingest.accept": "归档接收",
    "ingest.submit": "提交在线归档（业务系统）",
    "access.approve": "审批利用申请",
    "search.use": "检索",
}

# Reading or changing archive content: never in a 三员 role (a test checks the built-ins).
CONTENT_PERMISSIONS = frozenset(
    {
        "catalog.view",
        "catalog.view_open",
        "catalog.edit",
        "catalog.import",
        "catalog.export",
        "ingest.review",
        "ingest.accept",
        "ingest.submit",
        "access.approve",
        "search.use",
    }
)

BUILTIN_ROLES: list[RoleSpec] = [
    {
        "code": SYSTEM_ADMIN,
        "name": "系统管理员",
        "name_en": "System administrator",
        "is_trio": True,
        "permissions": ["system.configure", "accounts.manage_users", "apikeys.manage", "catalog.configure"],
        "description": "负责系统运行维护、用户账户与系统配置；不能查阅档案内容与审计日志。",
    },
    {
        "code": SECURITY_ADMIN,
        "name": "安全保密管理员",
        "name_en": "Security administrator",
        "is_trio": True,
        "permissions": ["accounts.assign_roles"],
        "description": "负责角色授权与用户密级；不能查阅档案内容与审计日志。",
    },
    {
        "code": AUDIT_ADMIN,
        "name": "安全审计员",
        "name_en": "Audit administrator",
        "is_trio": True,
        "permissions": ["audit.view"],
        "description": "负责查阅、导出与核验审计日志；不能查阅档案内容。",
    },
    {
        "code": ARCHIVIST,
        "name": "档案员",
        "name_en": "Archivist",
        "is_trio": False,
        "permissions": [
            "catalog.view",
            "catalog.view_open",
            "catalog.edit",
            "catalog.import",
            "catalog.export",
            "catalog.configure",
            "ingest.review",
            "ingest.accept",
            "search.use",
        ],
        "description": "接收、检测、整理、著录、数字化与利用服务。",
    },
    {
        "code": APPROVER,
        "name": "审核人",
        "name_en": "Approver",
        "is_trio": False,
        "permissions": ["catalog.view", "catalog.view_open", "access.approve", "search.use"],
        "description": "审批利用申请、开放审核与销毁。",
    },
    {
        "code": READER,
        "name": "利用者",
        "name_en": "Reader",
        "is_trio": False,
        "permissions": ["catalog.view_open", "search.use"],
        "description": "检索与利用已开放档案，提交利用申请。",
    },
]

API_KEY_SCOPES = {
    "ingest.submit": "提交在线归档",
    "catalog.view": "读取档案目录",
    "search.use": "检索（与读取档案目录合用）",
}
