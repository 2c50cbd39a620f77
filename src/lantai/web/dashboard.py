"""The home page's content: count widgets ("my tasks") that apps register, and the signed-in
user's own recent actions from the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lantai.accounts.actor import Actor
from lantai.accounts.models import ApiKey, Institution, RoleAssignment, User
from lantai.audit.models import AuditEvent


@dataclass(frozen=True)
class Widget:
    title: str | Promise
    value: int
    url_name: str | None = None
    # "attention" draws the eye: something is waiting for this user.
    attention: bool = False


WidgetSource = Callable[[Actor], list[Widget]]
_SOURCES: list[WidgetSource] = []


def register_widgets(source: WidgetSource) -> WidgetSource:
    """Let an app add its counts (e.g. submissions waiting for review) to the home page.

    The source receives the actor and returns only what that actor may see."""
    _SOURCES.append(source)
    return source


def widgets_for(actor: Actor) -> list[Widget]:
    found: list[Widget] = []
    for source in _SOURCES:
        found.extend(source(actor))
    return found


@register_widgets
def _accounts_widgets(actor: Actor) -> list[Widget]:
    widgets: list[Widget] = []
    if actor.has("accounts.manage_users"):
        locked = User.objects.filter(locked_until__gt=timezone.now()).count()
        widgets += [
            Widget(_("Locked accounts"), locked, "web:users", attention=locked > 0),
            Widget(_("Users"), User.objects.filter(is_active=True).count(), "web:users"),
            Widget(_("Institutions"), Institution.objects.filter(is_active=True).count(), "web:institutions"),
        ]
    if actor.has("accounts.assign_roles"):
        without_role = User.objects.filter(is_active=True).exclude(
            pk__in=RoleAssignment.objects.values("user_id")
        )
        count = without_role.count()
        widgets.append(Widget(_("Accounts waiting for a role"), count, "web:users", attention=count > 0))
    if actor.has("apikeys.manage"):
        active = ApiKey.objects.filter(revoked_at__isnull=True).exclude(expires_at__lte=timezone.now())
        widgets.append(Widget(_("Active API keys"), active.count(), "web:api_keys"))
    return widgets


@register_widgets
def _audit_widgets(actor: Actor) -> list[Widget]:
    if not actor.has("audit.view"):
        return []
    from lantai.audit import queries as audit_queries

    day_ago = timezone.now() - timedelta(days=1)
    qs = audit_queries.filtered_events(actor, since=day_ago)
    refused = qs.exclude(outcome="success").count()
    return [
        Widget(_("Audit events, last 24 h"), qs.count(), "web:audit"),
        Widget(_("Failed or denied, last 24 h"), refused, "web:audit", attention=refused > 0),
    ]


def recent_actions_of(actor: Actor, limit: int = 8) -> list[AuditEvent]:
    """The user's own latest actions: everyone may see what they did themselves."""
    if actor.kind != "user":
        return []
    return list(AuditEvent.objects.filter(actor_kind="user", actor_id=actor.id).order_by("-seq")[:limit])


ACTION_LABELS: dict[str, str | Promise] = {
    "accounts.login": _("Logged in"),
    "accounts.logout": _("Logged out"),
    "accounts.locked": _("Account locked"),
    "accounts.unlocked": _("Account unlocked"),
    "accounts.user_created": _("Created a user"),
    "accounts.user_enabled": _("Enabled a user"),
    "accounts.user_disabled": _("Disabled a user"),
    "accounts.password_changed": _("Changed a password"),
    "accounts.clearance_changed": _("Changed a security clearance"),
    "accounts.role_assigned": _("Granted a role"),
    "accounts.role_revoked": _("Revoked a role"),
    "accounts.institution_created": _("Created an institution"),
    "accounts.api_key_created": _("Created an API key"),
    "accounts.api_key_revoked": _("Revoked an API key"),
    "audit.exported": _("Exported the audit log"),
}


@register_widgets
def _ingest_widgets(actor: Actor) -> list[Widget]:
    """Online archiving work waiting for this archivist (scope applied by ingest's own queries)."""
    if not actor.has("ingest.review"):
        return []
    from lantai.ingest import queries as ingest_queries
    from lantai.ingest.models import Submission

    waiting = ingest_queries.queue(actor).count()
    failed = ingest_queries.visible_submissions(actor).filter(status=Submission.Status.FAILED).count()
    return [
        Widget(_("Waiting in the pre-archive queue"), waiting, "ingest:queue", attention=waiting > 0),
        Widget(_("Submissions that failed the checks"), failed, "ingest:submissions", attention=failed > 0),
    ]
