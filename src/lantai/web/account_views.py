"""Staff pages for accounts: users (create, enable/disable, unlock), one user's roles and
clearance, institutions, and the user's own password. Thin: parse the form, call
``lantai.accounts.services``, show the outcome in Chinese."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lantai.accounts import queries as account_queries
from lantai.accounts import services as account_services
from lantai.accounts.actor import Actor
from lantai.accounts.models import Institution, Role, SecurityLevel, User
from lantai.core.errors import LantaiError, NotFound
from lantai.web.context import actor_for


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request)


def _institution_from(value: str) -> Institution | None:
    if not value:
        return None
    found = Institution.objects.filter(public_id=value).first() if _is_uuid(value) else None
    if found is None:
        raise NotFound(_("Choose an institution."), code="accounts.unknown_institution")
    return found


def _tree(actor: Actor) -> list[dict[str, object]]:
    """Institutions in tree order, each with an indented label for select boxes."""
    return [
        {"i": inst, "depth": depth, "label": "\u3000" * depth + ("└ " if depth else "") + inst.name}
        for inst, depth in account_queries.institutions_for_admin(actor)
    ]


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise account_services.BadInput(field=field, problem=_("not a number")) from exc


def show_error(request: HttpRequest, exc: LantaiError) -> None:
    """One Chinese sentence, then each broken rule (password policy) on its own line."""
    text = exc.message
    reasons = exc.details.get("reasons") if isinstance(exc.details, dict) else None
    if reasons:
        text += " " + " ".join(str(r["message"]) for r in reasons)
    messages.error(request, text, extra_tags=exc.code)


@login_required
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        rows = account_queries.users_for_admin(actor)
    except NotFound as exc:
        raise Http404 from exc
    form: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                form = {k: request.POST.get(k, "") for k in ("username", "display_name", "institution")}
                if request.POST.get("password", "") != request.POST.get("password2", ""):
                    raise account_services.BadInput(
                        code="accounts.password_mismatch",
                        field="password2",
                        problem=_("the two passwords differ"),
                    )
                user = account_services.create_user(
                    actor,
                    username=form["username"],
                    password=request.POST.get("password", ""),
                    display_name=form["display_name"],
                    institution=_institution_from(form["institution"]),
                )
                messages.success(
                    request,
                    _("User %(name)s created. The security administrator assigns the roles.")
                    % {"name": user.username},
                )
                return redirect("web:users")
            target = account_queries.access_user(actor, request.POST.get("user", ""))
            if action in ("disable", "enable"):
                account_services.set_user_active(actor, target, action == "enable")
                messages.success(
                    request,
                    (_("%(name)s is enabled.") if action == "enable" else _("%(name)s is disabled."))
                    % {"name": target.username},
                )
            elif action == "unlock":
                account_services.unlock(actor, target)
                messages.success(request, _("%(name)s is unlocked.") % {"name": target.username})
            else:
                raise account_services.BadInput(field="action", problem=_("unknown action"))
            return redirect("web:users")
        except LantaiError as exc:
            show_error(request, exc)
    return render(
        request,
        "web/users.html",
        {
            "rows": rows,
            "form": form,
            "institutions": _tree(actor),
            "can_manage": actor.has("accounts.manage_users"),
            "can_assign": actor.has("accounts.assign_roles"),
            "active_module": "system",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = _actor(request)
    try:
        target = account_queries.access_user(actor, public_id)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "assign":
                role_code = request.POST.get("role", "")
                institution = _institution_from(request.POST.get("institution", ""))
                account_services.assign_role(actor, target, role_code, institution)
                messages.success(request, _("Role granted."))
            elif action == "revoke":
                institution = _institution_from(request.POST.get("institution", ""))
                account_services.revoke_role(actor, target, request.POST.get("role", ""), institution)
                messages.success(request, _("Role revoked."))
            elif action == "clearance":
                account_services.set_clearance(
                    actor, target, _int(request.POST.get("clearance", ""), "clearance")
                )
                messages.success(request, _("Security clearance changed."))
            elif action == "password":
                if request.POST.get("password", "") != request.POST.get("password2", ""):
                    raise account_services.BadInput(
                        code="accounts.password_mismatch",
                        field="password2",
                        problem=_("the two passwords differ"),
                    )
                account_services.change_password(actor, target, request.POST.get("password", ""))
                messages.success(request, _("Password set."))
            else:
                raise account_services.BadInput(field="action", problem=_("unknown action"))
            return redirect("web:user_detail", public_id=target.public_id)
        except LantaiError as exc:
            show_error(request, exc)
    assignments = list(target.role_assignments.select_related("role", "institution").order_by("role_id"))
    return render(
        request,
        "web/user_detail.html",
        {
            "target": target,
            "assignments": assignments,
            "roles": Role.objects.all(),
            "institutions": _tree(actor),
            "levels": SecurityLevel.choices,
            "can_manage": actor.has("accounts.manage_users"),
            "can_assign": actor.has("accounts.assign_roles"),
            "active_module": "system",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def institutions(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    try:
        tree = _tree(actor)
    except NotFound as exc:
        raise Http404 from exc
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("code", "name", "kind", "parent")}
        try:
            inst = account_services.create_institution(
                actor,
                code=form["code"],
                name=form["name"],
                kind=form["kind"] or Institution.Kind.CREATOR,
                parent=_institution_from(form["parent"]),
            )
            messages.success(request, _("Institution %(name)s created.") % {"name": inst.name})
            return redirect("web:institutions")
        except LantaiError as exc:
            show_error(request, exc)
    return render(
        request,
        "web/institutions.html",
        {
            "tree": tree,
            "kinds": Institution.Kind.choices,
            "form": form,
            "can_manage": actor.has("accounts.manage_users"),
            "active_module": "system",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        new = request.POST.get("new_password", "")
        try:
            if new != request.POST.get("new_password2", ""):
                raise account_services.BadInput(
                    code="accounts.password_mismatch",
                    field="new_password",
                    problem=_("the two passwords differ"),
                )
            account_services.change_own_password(user, request.POST.get("current_password", ""), new)
        except LantaiError as exc:
            show_error(request, exc)
        else:
            # Keep this session logged in; other sessions of the user end with the old password.
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("web:dashboard")
    return render(
        request,
        "web/password.html",
        {"help": _password_help()},
        status=422 if request.method == "POST" else 200,
    )


def _password_help() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return [str(t) for t in password_validators_help_texts()]
