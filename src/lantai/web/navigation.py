"""The staff module bar (VISION.md order): each module and its pages, with the permission
that shows it. Apps register their pages here as they are built.

Module titles carry the message context "module": one-word English msgids such as "Use"
collide across app catalogues, and the context keeps the module bar's Chinese its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass
class Page:
    key: str
    title: str | Promise
    url_name: str | None = None  # None: not built yet (shown as planned)
    permission: str | None = None


@dataclass
class Module:
    key: str
    title: str | Promise
    pages: list[Page] = field(default_factory=list)
    permission: str | None = None


MODULES: list[Module] = [
    Module("home", pgettext_lazy("module", "Home"), [Page("dashboard", _("My tasks"), "web:dashboard")]),
    Module(
        "collect",
        pgettext_lazy("module", "Collect"),
        [
            Page("online", _("Online archiving"), None, "ingest.review"),
            Page("accession", _("Accession"), None, "ingest.review"),
            Page("digitization", _("Digitization"), None, "catalog.edit"),
            Page("acquisition", _("Acquisition"), None, "catalog.edit"),
        ],
        "catalog.view",
    ),
    Module(
        "arrange",
        pgettext_lazy("module", "Arrange"),
        [
            Page("pre_archive", _("Pre-archive queue"), None, "ingest.review"),
            Page("describe", _("Description"), None, "catalog.edit"),
            Page("volumes", _("Volumes"), None, "catalog.edit"),
            Page("codes", _("Archival codes"), None, "catalog.edit"),
            Page("print", _("Printing"), None, "catalog.export"),
        ],
        "catalog.view",
    ),
    Module(
        "preserve",
        pgettext_lazy("module", "Preserve"),
        [
            Page("locations", _("Storage locations"), None, "catalog.view"),
            Page("aips", _("Archival packages"), None, "catalog.view"),
            Page("fixity", _("Checks"), None, "catalog.view"),
            Page("backups", _("Backups"), None, "catalog.view"),
        ],
        "catalog.view",
    ),
    Module(
        "use",
        pgettext_lazy("module", "Use"),
        [
            Page("search", _("Search"), None, "search.use"),
            Page("requests", _("Access requests"), None, "search.use"),
            Page("certified", _("Certified copies"), None, "access.approve"),
            Page("enquiries", _("Reference enquiries"), None, "catalog.view"),
            Page("register", _("Use register"), None, "catalog.view"),
        ],
        "search.use",
    ),
    Module(
        "appraise",
        pgettext_lazy("module", "Appraise"),
        [
            Page("open_review", _("Open review"), None, "access.approve"),
            Page("expiry", _("Expiry appraisal"), None, "access.approve"),
            Page("disposal", _("Disposal"), None, "access.approve"),
        ],
        "access.approve",
    ),
    Module(
        "compile",
        pgettext_lazy("module", "Compile"),
        [
            Page("compilations", _("Compilations"), None, "catalog.edit"),
            Page("exhibitions", _("Exhibitions"), None, "catalog.edit"),
            Page("products", _("Information products and pushes"), None, "catalog.edit"),
        ],
        "catalog.edit",
    ),
    Module(
        "stats",
        pgettext_lazy("module", "Statistics"),
        [
            Page("charts", _("Charts"), None, "catalog.view"),
            Page("annual", _("Annual report"), None, "catalog.view"),
        ],
        "catalog.view",
    ),
    Module(
        "system",
        pgettext_lazy("module", "System"),
        [
            Page("fonds", _("Fonds"), None, "catalog.configure"),
            Page("categories", _("Categories and schemes"), None, "catalog.configure"),
            Page("code_rules", _("Archival code rules"), None, "catalog.configure"),
            Page("check_schemes", _("Check schemes"), None, "system.configure"),
            Page("institutions", _("Institutions"), "web:institutions", "accounts.manage_users"),
            Page("users", _("Users and roles"), "web:users", "accounts.manage_users"),
            Page("roles", _("Role assignment"), "web:users", "accounts.assign_roles"),
            Page("api_keys", _("API keys"), "web:api_keys", "apikeys.manage"),
            Page("audit", _("Audit log"), "web:audit", "audit.view"),
        ],
    ),
]


def register_page(module_key: str, page: Page) -> None:
    """Let an app attach a built page (replacing a planned one with the same key)."""
    for module in MODULES:
        if module.key == module_key:
            for i, existing in enumerate(module.pages):
                if existing.key == page.key:
                    module.pages[i] = page
                    return
            module.pages.append(page)
            return
    raise KeyError(module_key)
