"""Accounts: login with lockout, disabled users, password policy, 三员 exclusivity (service and
database), the administrators' permission sets, institutions, and API keys at rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from lantai.accounts import roles, services
from lantai.accounts.actor import Actor
from lantai.accounts.models import ApiKey, Institution, Role, RoleAssignment, User
from lantai.audit.models import AuditEvent
from lantai.core.errors import Conflict, LantaiError, NotFound, PermissionDenied
from tests.conftest import PASSWORD


def events(action: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


# ------------------------------------------------------------------ login and lockout


def test_login_succeeds_and_is_audited(archivist):
    user = services.authenticate("archivist", PASSWORD)
    assert user.pk == archivist.pk
    assert user.last_login is not None
    assert events("accounts.login", object_id=str(archivist.public_id), outcome="success")


def test_wrong_password_and_unknown_user_give_the_same_error(archivist):
    with pytest.raises(services.InvalidCredentials) as wrong:
        services.authenticate("archivist", "Wrong@Pass2026")
    with pytest.raises(services.InvalidCredentials) as unknown:
        services.authenticate("nobody", PASSWORD)
    assert wrong.value.code == unknown.value.code == "auth.invalid_credentials"
    assert wrong.value.message_in("en") == unknown.value.message_in("en")
    assert wrong.value.message_in("zh-hans") != wrong.value.message_in("en")
    archivist.refresh_from_db()
    assert archivist.failed_login_count == 1


def test_lockout_after_max_failures(archivist, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    for expected in (1, 2):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate("archivist", "bad")
        archivist.refresh_from_db()
        assert archivist.failed_login_count == expected
        assert not archivist.is_locked
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("archivist", "bad")
    archivist.refresh_from_db()
    assert archivist.is_locked
    minutes = (archivist.locked_until - timezone.now()).total_seconds() / 60
    assert 14 < minutes <= 15
    assert len(events("accounts.locked", object_id=str(archivist.public_id))) == 1
    # Locked: even the right password is refused, with the lockout error.
    with pytest.raises(services.AccountLocked) as locked:
        services.authenticate("archivist", PASSWORD)
    assert locked.value.code == "auth.account_locked"
    assert locked.value.http_status == 403
    assert events("accounts.login", object_id=str(archivist.public_id), outcome="denied")


def test_lock_expires_by_itself(archivist, settings):
    settings.LOGIN_MAX_FAILURES = 1
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("archivist", "bad")
    User.objects.filter(pk=archivist.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert services.authenticate("archivist", PASSWORD).pk == archivist.pk


def test_success_resets_the_failure_counter(archivist, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate("archivist", "bad")
    services.authenticate("archivist", PASSWORD)
    archivist.refresh_from_db()
    assert archivist.failed_login_count == 0
    for _ in range(2):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate("archivist", "bad")
    archivist.refresh_from_db()
    assert not archivist.is_locked


def test_admin_unlocks(archivist, sysadmin, settings):
    settings.LOGIN_MAX_FAILURES = 1
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("archivist", "bad")
    archivist.refresh_from_db()
    assert archivist.is_locked
    services.unlock(Actor.for_user(sysadmin), archivist)
    archivist.refresh_from_db()
    assert not archivist.is_locked and archivist.failed_login_count == 0
    assert events("accounts.unlocked", object_id=str(archivist.public_id))
    assert services.authenticate("archivist", PASSWORD).pk == archivist.pk


def test_only_user_managers_unlock(archivist, secadmin):
    with pytest.raises(PermissionDenied):
        services.unlock(Actor.for_user(secadmin), archivist)


def test_disabled_user_cannot_log_in(archivist, sysadmin):
    services.set_user_active(Actor.for_user(sysadmin), archivist, False)
    with pytest.raises(services.AccountDisabled) as err:
        services.authenticate("archivist", PASSWORD)
    assert err.value.code == "auth.account_disabled"
    # A disabled account holds no permission and reaches no institution.
    actor = Actor.for_user(User.objects.get(pk=archivist.pk))
    assert actor.permissions == frozenset() and actor.institution_scope == frozenset()
    services.set_user_active(Actor.for_user(sysadmin), archivist, True)
    assert services.authenticate("archivist", PASSWORD).pk == archivist.pk
    oid = str(archivist.public_id)
    assert events("accounts.user_disabled", object_id=oid)[0].after == {"active": False}
    assert events("accounts.user_enabled", object_id=oid)[0].after == {"active": True}
    assert events("accounts.login", object_id=oid, outcome="denied")[0].message == "disabled"


def test_disabled_user_with_wrong_password_learns_nothing(archivist, sysadmin):
    services.set_user_active(Actor.for_user(sysadmin), archivist, False)
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("archivist", "bad")


def test_administrator_cannot_disable_themselves(sysadmin):
    with pytest.raises(Conflict) as err:
        services.set_user_active(Actor.for_user(sysadmin), sysadmin, False)
    assert err.value.code == "accounts.cannot_disable_self"
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


# ------------------------------------------------------------------ password policy


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1@", "password_too_short"),
        ("alllowercaseletters", "password_character_classes"),
        ("Password123", "password_too_common"),
        ("48213975560213", "password_entirely_numeric"),
    ],
)
def test_weak_password_is_refused_and_no_user_created(system, archive, password, rule):
    before = AuditEvent.objects.count()
    with pytest.raises(services.WeakPassword) as err:
        services.create_user(system, username="newuser", password=password, institution=archive)
    assert err.value.code == "accounts.weak_password"
    assert rule in {r["rule"] for r in err.value.details["reasons"]}
    assert all(r["message"] for r in err.value.details["reasons"])
    assert not User.objects.filter(username="newuser").exists()
    assert AuditEvent.objects.count() == before


def test_password_policy_messages_are_chinese(system, archive):
    from django.utils.translation import override

    with override("zh-hans"), pytest.raises(services.WeakPassword) as err:
        services.create_user(system, username="newuser", password="short", institution=archive)
    assert any("密码" in r["message"] for r in err.value.details["reasons"])
    assert "密码" in err.value.message_in("zh-hans")


def test_password_like_the_user_name_is_refused(system, archive):
    with pytest.raises(services.WeakPassword) as err:
        services.create_user(system, username="wangxiaoming", password="Wangxiaoming1", institution=archive)
    assert "password_too_similar" in {r["rule"] for r in err.value.details["reasons"]}


@pytest.mark.parametrize("username", ["", "a", "有 空格", "x" * 65, "semi;colon"])
def test_bad_user_name_is_refused(system, archive, username):
    with pytest.raises(LantaiError) as err:
        services.create_user(system, username=username, password=PASSWORD, institution=archive)
    assert err.value.code == "accounts.bad_username"
    assert not User.objects.exists()


def test_duplicate_user_name_is_refused_case_insensitively(system, archivist):
    with pytest.raises(Conflict) as err:
        services.create_user(system, username="ARCHIVIST", password=PASSWORD)
    assert err.value.code == "accounts.duplicate_username"
    assert User.objects.count() == 1


def test_change_own_password_needs_the_current_one(archivist):
    with pytest.raises(services.WrongCurrentPassword):
        services.change_own_password(archivist, "Not@Current1", "New@Pass20261")
    archivist.refresh_from_db()
    assert archivist.check_password(PASSWORD)
    assert events("accounts.password_changed", outcome="denied")
    with pytest.raises(services.WeakPassword):
        services.change_own_password(archivist, PASSWORD, "weak")
    with pytest.raises(LantaiError) as same:
        services.change_own_password(archivist, PASSWORD, PASSWORD)
    assert same.value.code == "accounts.password_unchanged"
    services.change_own_password(archivist, PASSWORD, "New@Pass20261")
    archivist.refresh_from_db()
    assert archivist.check_password("New@Pass20261")
    assert events("accounts.password_changed", outcome="success", object_id=str(archivist.public_id))


def test_someone_elses_password_needs_user_management(archivist, reader, sysadmin):
    with pytest.raises(PermissionDenied):
        services.change_password(Actor.for_user(reader), archivist, "New@Pass20261")
    services.change_password(Actor.for_user(sysadmin), archivist, "New@Pass20261")
    archivist.refresh_from_db()
    assert archivist.check_password("New@Pass20261")


# ------------------------------------------------------------------ 三员 exclusivity


TRIO_PAIRS = [(a, b) for a in roles.TRIO for b in roles.TRIO if a != b]


@pytest.mark.parametrize(("first", "second"), TRIO_PAIRS)
def test_trio_role_then_another_trio_role_is_refused(make_user, system, first, second):
    user = make_user("u1", first)
    _refused(system, user, second)


@pytest.mark.parametrize("trio", roles.TRIO)
@pytest.mark.parametrize("business", [roles.ARCHIVIST, roles.APPROVER, roles.READER])
def test_trio_then_business_is_refused(make_user, system, archive, trio, business):
    user = make_user("u1", trio)
    _refused(system, user, business, archive)


@pytest.mark.parametrize("trio", roles.TRIO)
@pytest.mark.parametrize("business", [roles.ARCHIVIST, roles.APPROVER, roles.READER])
def test_business_then_trio_is_refused(make_user, system, archive, trio, business):
    user = make_user("u1", business)
    _refused(system, user, trio)


def _refused(system, user, role, institution=None):
    held_before = sorted(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))
    count_before = RoleAssignment.objects.count()
    with pytest.raises(services.TrioExclusive) as err:
        services.assign_role(system, user, role, institution)
    assert err.value.code == "accounts.trio_exclusive"
    assert err.value.http_status == 409
    assert err.value.details["requested"] == role
    assert err.value.details["held"] == held_before
    assert RoleAssignment.objects.count() == count_before
    denied = events("accounts.role_assigned", outcome="denied", object_id=str(user.public_id))
    assert len(denied) == 1 and denied[0].message == "accounts.trio_exclusive"
    assert denied[0].after["role"] == role


def test_business_roles_combine(make_user, system, archive):
    user = make_user("u1", roles.ARCHIVIST)
    services.assign_role(system, user, roles.APPROVER, archive)
    assert set(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True)) == {
        roles.ARCHIVIST,
        roles.APPROVER,
    }


def test_same_role_twice_is_refused(make_user, system, archive):
    user = make_user("u1", roles.READER)
    with pytest.raises(Conflict) as err:
        services.assign_role(system, user, roles.READER, archive)
    assert err.value.code == "accounts.role_already_held"
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_unknown_role_is_refused_and_audited(make_user, system):
    user = make_user("u1")
    with pytest.raises(NotFound) as err:
        services.assign_role(system, user, "emperor")
    assert err.value.code == "accounts.unknown_role"
    assert events("accounts.role_assigned", outcome="denied", object_id=str(user.public_id))


def test_database_refuses_a_second_trio_row(make_user):
    """The partial unique index holds even when the service is bypassed."""
    user = make_user("u1", roles.SYSTEM_ADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=user, role=Role.objects.get(code=roles.AUDIT_ADMIN), institution=None, is_trio=True
        )
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_database_index_race_is_reported_as_trio_exclusive(make_user, system, monkeypatch):
    """If a concurrent grant slipped past the check, the index refusal becomes the same error."""
    user = make_user("u1", roles.SYSTEM_ADMIN)
    original = RoleAssignment.objects.filter

    def blind_filter(*args, **kwargs):  # the check sees no role held, as in a race
        if kwargs.get("user") == user and len(kwargs) == 1:
            return original(pk__in=[])
        return original(*args, **kwargs)

    monkeypatch.setattr(RoleAssignment.objects, "filter", blind_filter)
    with pytest.raises(services.TrioExclusive):
        services.assign_role(system, user, roles.SECURITY_ADMIN)
    monkeypatch.undo()
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert events("accounts.role_assigned", outcome="denied", object_id=str(user.public_id))


def test_only_the_security_administrator_assigns_roles(make_user, sysadmin, secadmin, archive):
    user = make_user("u1")
    with pytest.raises(PermissionDenied):
        services.assign_role(Actor.for_user(sysadmin), user, roles.READER, archive)
    services.assign_role(Actor.for_user(secadmin), user, roles.READER, archive)
    ok = events("accounts.role_assigned", outcome="success", object_id=str(user.public_id))
    assert ok[-1].actor_name == "secadmin"
    assert ok[-1].after == {"role": roles.READER, "institution": archive.code}


def test_revoke_role_and_then_a_trio_role_fits(make_user, system, archive):
    user = make_user("u1", roles.READER)
    services.revoke_role(system, user, roles.READER, archive)
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert events("accounts.role_revoked", object_id=str(user.public_id))
    services.assign_role(system, user, roles.AUDIT_ADMIN)
    with pytest.raises(NotFound) as err:
        services.revoke_role(system, user, roles.READER, archive)
    assert err.value.code == "accounts.role_not_held"


def test_trio_roles_hold_no_content_permission(db):
    for role in Role.objects.filter(code__in=roles.TRIO):
        assert role.is_trio
        assert not set(role.permissions) & roles.CONTENT_PERMISSIONS, role.code
    perms = {r.code: set(r.permissions) for r in Role.objects.all()}
    assert perms[roles.SYSTEM_ADMIN] == {
        "system.configure",
        "accounts.manage_users",
        "apikeys.manage",
        "catalog.configure",
    }
    assert perms[roles.SECURITY_ADMIN] == {"accounts.assign_roles"}
    assert perms[roles.AUDIT_ADMIN] == {"audit.view"}
    # Separation: user management, role assignment and audit sit in three different roles.
    assert "audit.view" not in perms[roles.SYSTEM_ADMIN] | perms[roles.SECURITY_ADMIN]
    assert "accounts.assign_roles" not in perms[roles.SYSTEM_ADMIN] | perms[roles.AUDIT_ADMIN]
    assert "accounts.manage_users" not in perms[roles.SECURITY_ADMIN] | perms[roles.AUDIT_ADMIN]
    assert {"catalog.view", "search.use"} <= perms[roles.ARCHIVIST]


def test_actor_of_trio_account_has_no_content_permission(sysadmin, secadmin, auditor):
    for user in (sysadmin, secadmin, auditor):
        actor = Actor.for_user(user)
        assert not actor.permissions & roles.CONTENT_PERMISSIONS


def test_business_scope_is_the_institution_subtree(make_user, system, archive, agency):
    other = services.create_institution(
        system, code="OTHER", name="另一档案馆", kind=Institution.Kind.ARCHIVE
    )
    user = make_user("u1", roles.ARCHIVIST)
    actor = Actor.for_user(user)
    assert actor.institution_scope == frozenset({archive.pk, agency.pk})
    assert actor.may_reach_institution(agency.pk)
    assert not actor.may_reach_institution(other.pk)


def test_clearance_is_set_by_the_security_administrator(archivist, secadmin, sysadmin):
    with pytest.raises(PermissionDenied):
        services.set_clearance(Actor.for_user(sysadmin), archivist, 3)
    services.set_clearance(Actor.for_user(secadmin), archivist, 3)
    archivist.refresh_from_db()
    assert archivist.clearance == 3
    event = events("accounts.clearance_changed")[-1]
    assert event.before == {"clearance": 2} and event.after == {"clearance": 3}
    with pytest.raises(LantaiError) as err:
        services.set_clearance(Actor.for_user(secadmin), archivist, 9)
    assert err.value.code == "accounts.bad_clearance"
    archivist.refresh_from_db()
    assert archivist.clearance == 3


# ------------------------------------------------------------------ institutions


def test_institution_tree(system, archive):
    office = services.create_institution(
        system, code="QXDAS", name="清溪县档案室", kind=Institution.Kind.RECORDS_OFFICE, parent=archive
    )
    agency = services.create_institution(system, code="QXJY", name="清溪县教育局", parent=office)
    assert agency.kind == Institution.Kind.CREATOR and agency.parent == office
    event = events("accounts.institution_created")[-1]
    assert event.after["parent"] == "QXDAS"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"code": "", "name": "某单位"}, "accounts.bad_institution_code"),
        ({"code": "有 空格", "name": "某单位"}, "accounts.bad_institution_code"),
        ({"code": "OK1", "name": "  "}, "accounts.required"),
        ({"code": "OK1", "name": "某单位", "kind": "palace"}, "accounts.bad_institution_kind"),
        ({"code": "TDAG", "name": "重复"}, "accounts.duplicate_code"),
    ],
)
def test_bad_institution_is_refused(system, archive, fields, code):
    count = Institution.objects.count()
    with pytest.raises(LantaiError) as err:
        services.create_institution(system, **fields)
    assert err.value.code == code
    assert Institution.objects.count() == count


def test_institution_needs_user_management(reader):
    with pytest.raises(PermissionDenied):
        services.create_institution(Actor.for_user(reader), code="X", name="某单位")


# ------------------------------------------------------------------ API keys at rest


def test_api_key_token_is_shown_once_and_only_a_digest_is_stored(system, archive):
    key, token = services.create_api_key(system, institution=archive, name="OA", scopes=["ingest.submit"])
    assert token.startswith(f"lt_{key.prefix}_")
    row = ApiKey.objects.filter(pk=key.pk).values().get()
    secret = token.split("_", 2)[2]
    for value in row.values():
        assert secret not in str(value)
        assert token not in str(value)
    assert len(row["key_digest"]) == 64
    created = events("accounts.api_key_created")[-1]
    assert secret not in str(created.after) and token not in str(created.after)
    assert services.authenticate_api_key(token).pk == key.pk


def test_api_key_actor_is_scoped_to_its_institution(system, archive, agency):
    key, _token = services.create_api_key(system, institution=agency, name="OA", scopes=["ingest.submit"])
    actor = Actor.for_api_key(key)
    assert actor.kind == "apikey"
    assert actor.institution_scope == frozenset({agency.pk})
    assert actor.may_reach_institution(agency.pk) and not actor.may_reach_institution(archive.pk)
    assert actor.permissions == frozenset({"ingest.submit"})


def test_api_key_revocation_is_audited_and_final(system, archive):
    key, token = services.create_api_key(system, institution=archive, name="OA", scopes=[])
    services.revoke_api_key(system, key)
    assert events("accounts.api_key_revoked", object_id=str(key.public_id))
    with pytest.raises(services.ApiKeyRevoked):
        services.authenticate_api_key(token)
    with pytest.raises(Conflict):
        services.revoke_api_key(system, key)


def test_api_key_refusals(system, archive, reader):
    with pytest.raises(PermissionDenied):
        services.create_api_key(Actor.for_user(reader), institution=archive, name="x", scopes=[])
    with pytest.raises(LantaiError) as past:
        services.create_api_key(
            system, institution=archive, name="x", scopes=[], expires_at=timezone.now() - timedelta(days=1)
        )
    assert past.value.code == "accounts.bad_expiry"
    with pytest.raises(LantaiError) as unnamed:
        services.create_api_key(system, institution=archive, name=" ", scopes=[])
    assert unnamed.value.code == "accounts.required"
    assert not ApiKey.objects.exists()


def test_api_key_of_an_inactive_institution_stops_working(system, archive):
    _key, token = services.create_api_key(system, institution=archive, name="OA", scopes=[])
    Institution.objects.filter(pk=archive.pk).update(is_active=False)
    with pytest.raises(services.ApiKeyInvalid):
        services.authenticate_api_key(token)


def test_demo_prints_the_administrator_login_and_url():
    import io

    from lantai.demo import DEMO_PASSWORD, print_logins

    out = io.StringIO()
    print_logins(out)
    text = out.getvalue()
    assert f"admin / {DEMO_PASSWORD}" in text
    assert "http://127.0.0.1:8000/login/" in text
    assert all(name in text for name in ("secadmin", "auditor", "archivist", "approver", "reader"))


def test_api_key_last_used_is_written_at_most_once_a_minute(system, archive):
    key, token = services.create_api_key(system, institution=archive, name="OA", scopes=[])
    services.authenticate_api_key(token)
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    services.authenticate_api_key(token)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
    services.authenticate_api_key(token)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


def test_createadmin_command(db, monkeypatch, capsys):
    from lantai.cli import main

    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "short")
    assert main(["createadmin", "root2", "--role", roles.AUDIT_ADMIN]) == 1
    assert "accounts.weak_password" in capsys.readouterr().err
    assert not User.objects.filter(username="root2").exists()
    monkeypatch.setenv("LANTAI_ADMIN_PASSWORD", "Root@Pass20261")
    assert main(["createadmin", "root2", "--role", roles.AUDIT_ADMIN]) == 0
    user = User.objects.get(username="root2")
    assert list(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True)) == [
        roles.AUDIT_ADMIN
    ]


def test_security_administrator_cannot_change_their_own_rights(secadmin):
    actor = Actor.for_user(secadmin)
    with pytest.raises(PermissionDenied) as grant:
        services.assign_role(actor, secadmin, roles.READER)
    assert grant.value.code == "accounts.self_grant"
    with pytest.raises(PermissionDenied):
        services.set_clearance(actor, secadmin, 4)
    with pytest.raises(PermissionDenied):
        services.revoke_role(actor, secadmin, roles.SECURITY_ADMIN)
    secadmin.refresh_from_db()
    assert secadmin.clearance == 1
    assert list(RoleAssignment.objects.filter(user=secadmin).values_list("role__code", flat=True)) == [
        roles.SECURITY_ADMIN
    ]
    assert events("accounts.role_assigned", outcome="denied", object_id=str(secadmin.public_id))
