"""Staff UI shell: login (errors, lockout, next), dashboard, module bar per role, users,
institutions, role assignment with 三员 conflicts, own password change, CSRF, language."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from lantai.accounts import roles, services
from lantai.accounts.models import Institution, RoleAssignment, User
from lantai.audit.models import AuditEvent
from tests.conftest import PASSWORD


def text_of(response) -> str:
    return response.content.decode()


def nav_titles(response) -> list[str]:
    nav = re.search(r'<nav class="modules".*?</nav>', text_of(response), re.S)
    assert nav, "no module bar"
    return re.findall(r">([^<>]+)</a>", nav.group(0))


# ------------------------------------------------------------------ login


def test_login_page_is_chinese_and_has_csrf(client, db):
    page = text_of(client.get("/login/"))
    assert "用户名" in page and "密码" in page and "登录" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_login_then_dashboard(client, archivist):
    response = client.post("/login/", {"username": "archivist", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    page = text_of(client.get("/"))
    assert "首页" in page and "archivist" in page and "档案员" in page


def test_login_follows_only_local_next(client, archivist):
    ok = client.post("/login/?next=/system/audit/", {"username": "archivist", "password": PASSWORD})
    assert ok["Location"] == "/system/audit/"
    client.logout()
    for evil_next in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        client.logout()
        evil = client.post(
            "/login/?" + urlencode({"next": evil_next}), {"username": "archivist", "password": PASSWORD}
        )
        assert evil["Location"] == "/", evil_next


def test_wrong_password_shows_chinese_error(client, archivist):
    response = client.post("/login/", {"username": "archivist", "password": "nope"})
    assert response.status_code == 401
    page = text_of(response)
    assert 'data-code="auth.invalid_credentials"' in page
    assert "用户名或密码错误" in page
    assert "_auth_user_id" not in client.session


def test_lockout_through_the_login_page(client, archivist, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post("/login/", {"username": "archivist", "password": "nope"})
    response = client.post("/login/", {"username": "archivist", "password": PASSWORD})
    assert response.status_code == 401
    assert 'data-code="auth.account_locked"' in text_of(response)
    assert "锁定" in text_of(response)


def test_disabled_user_sees_disabled_message(client, archivist, system):
    services.set_user_active(system, archivist, False)
    response = client.post("/login/", {"username": "archivist", "password": PASSWORD})
    assert 'data-code="auth.account_disabled"' in text_of(response)


def test_login_without_csrf_token_is_refused(archivist):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "archivist", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_pages_need_login(client, db):
    for url in ("/", "/system/users/", "/system/institutions/", "/account/password/", "/system/audit/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_logout_is_post_only_and_audited(client, archivist):
    client.force_login(archivist)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="accounts.logout", actor_name="archivist").exists()
    assert client.get("/").status_code == 302


# ------------------------------------------------------------------ dashboard and module bar


def test_trio_accounts_see_no_content_modules(logged_in, sysadmin, secadmin, auditor):
    content_modules = {"收集", "整理", "保存", "利用", "鉴定", "编研", "统计"}
    for user in (sysadmin, secadmin, auditor):
        response = logged_in(user).get("/")
        titles = set(nav_titles(response))
        assert not titles & content_modules, (user.username, titles)
        assert "首页" in titles
        assert "不能查阅档案内容" in text_of(response) or "三员分立" in text_of(response)
    for module in ("collect", "arrange", "use"):
        assert logged_in(auditor).get(f"/m/{module}/").status_code == 404


def test_archivist_sees_content_modules_not_system_admin_pages(logged_in, archivist):
    client = logged_in(archivist)
    titles = set(nav_titles(client.get("/")))
    assert {"收集", "整理", "利用"} <= titles
    assert client.get("/system/users/").status_code == 404
    assert client.get("/system/audit/").status_code == 404
    assert client.get("/system/api-keys/").status_code == 404


def test_dashboard_counts_and_recent_activity(client, sysadmin, make_user, settings):
    settings.LOGIN_MAX_FAILURES = 1
    make_user("locked1")
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("locked1", "bad")
    client.post("/login/", {"username": "sysadmin", "password": PASSWORD})
    page = text_of(client.get("/"))
    # One locked account, flagged for attention, and this user's login in the activity list.
    assert re.search(
        r'widget attention"[^>]*>\s*<span class="value">1</span><span class="label">被锁定的账户', page
    )
    assert "登录" in page.split("我的近期操作")[1]


# ------------------------------------------------------------------ users page (system administrator)


def test_sysadmin_creates_user(logged_in, sysadmin, archive):
    client = logged_in(sysadmin)
    response = client.post(
        "/system/users/",
        {
            "action": "create",
            "username": "newclerk",
            "display_name": "赵新",
            "institution": str(archive.public_id),
            "password": "Clerk@Pass2026",
            "password2": "Clerk@Pass2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    assert user.display_name == "赵新" and user.institution == archive
    assert not RoleAssignment.objects.filter(user=user).exists()
    page = text_of(client.get("/system/users/"))
    assert "newclerk" in page and "已创建" in page


def test_weak_password_shows_chinese_policy_errors_and_creates_nothing(logged_in, sysadmin):
    client = logged_in(sysadmin)
    response = client.post(
        "/system/users/",
        {"action": "create", "username": "weak", "password": "12345", "password2": "12345"},
    )
    assert response.status_code == 422
    page = text_of(response)
    assert 'data-code="accounts.weak_password"' in page
    assert "密码" in page and "太短" in page
    assert 'value="weak"' in page  # the form keeps what was typed, except passwords
    assert not User.objects.filter(username="weak").exists()


def test_password_mismatch_is_refused(logged_in, sysadmin):
    response = logged_in(sysadmin).post(
        "/system/users/",
        {"action": "create", "username": "x1", "password": "Clerk@Pass2026", "password2": "Clerk@Pass2027"},
    )
    assert 'data-code="accounts.password_mismatch"' in text_of(response)
    assert not User.objects.filter(username="x1").exists()


def test_sysadmin_disables_enables_and_unlocks(logged_in, sysadmin, archivist, settings):
    client = logged_in(sysadmin)
    uid = str(archivist.public_id)
    client.post("/system/users/", {"action": "disable", "user": uid})
    archivist.refresh_from_db()
    assert not archivist.is_active
    client.post("/system/users/", {"action": "enable", "user": uid})
    archivist.refresh_from_db()
    assert archivist.is_active
    settings.LOGIN_MAX_FAILURES = 1
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("archivist", "bad")
    assert "解锁" in text_of(client.get("/system/users/"))
    client.post("/system/users/", {"action": "unlock", "user": uid})
    archivist.refresh_from_db()
    assert not archivist.is_locked


def test_users_page_forms_need_csrf(sysadmin, archivist):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sysadmin)
    response = strict.post("/system/users/", {"action": "disable", "user": str(archivist.public_id)})
    assert response.status_code == 403
    archivist.refresh_from_db()
    assert archivist.is_active


def test_every_form_carries_a_csrf_token(logged_in, sysadmin, secadmin, archivist):
    pages = [
        (sysadmin, "/system/users/"),
        (sysadmin, "/system/institutions/"),
        (sysadmin, "/system/api-keys/"),
        (secadmin, f"/system/users/{archivist.public_id}/"),
        (archivist, "/account/password/"),
        (archivist, "/"),
    ]
    for user, url in pages:
        page = text_of(logged_in(user).get(url))
        forms = re.findall(r"<form[^>]*>.*?</form>", page, re.S)
        post_forms = [f for f in forms if 'method="post"' in f]
        assert post_forms, url
        for form in post_forms:
            assert "csrfmiddlewaretoken" in form, (url, form[:200])


def test_archivist_cannot_post_to_users_page(logged_in, archivist, reader):
    response = logged_in(archivist).post(
        "/system/users/", {"action": "disable", "user": str(reader.public_id)}
    )
    assert response.status_code == 404
    reader.refresh_from_db()
    assert reader.is_active


# ------------------------------------------------------------ roles and clearance (security administrator)


def test_secadmin_assigns_role_with_scope(logged_in, secadmin, make_user, agency):
    user = make_user("clerk")
    client = logged_in(secadmin)
    response = client.post(
        f"/system/users/{user.public_id}/",
        {"action": "assign", "role": roles.ARCHIVIST, "institution": str(agency.public_id)},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role.code == roles.ARCHIVIST and assignment.institution == agency
    page = text_of(client.get(f"/system/users/{user.public_id}/"))
    assert "档案员" in page and agency.name in page


def test_trio_conflict_is_a_clear_chinese_message(logged_in, secadmin, archivist):
    client = logged_in(secadmin)
    response = client.post(
        f"/system/users/{archivist.public_id}/", {"action": "assign", "role": roles.AUDIT_ADMIN}
    )
    assert response.status_code == 422
    page = text_of(response)
    alert = re.search(
        r'<li class="error" role="alert" data-code="accounts.trio_exclusive">([^<]+)</li>', page
    )
    assert alert, page
    assert "三员" in alert.group(1) and "必须由不同账户担任" in alert.group(1)
    assert list(RoleAssignment.objects.filter(user=archivist).values_list("role__code", flat=True)) == [
        roles.ARCHIVIST
    ]


def test_secadmin_revokes_role_and_sets_clearance(logged_in, secadmin, archivist, archive):
    client = logged_in(secadmin)
    url = f"/system/users/{archivist.public_id}/"
    client.post(url, {"action": "clearance", "clearance": "3"})
    archivist.refresh_from_db()
    assert archivist.clearance == 3
    bad = client.post(url, {"action": "clearance", "clearance": "x"})
    assert bad.status_code == 422
    client.post(url, {"action": "revoke", "role": roles.ARCHIVIST, "institution": str(archive.public_id)})
    assert not RoleAssignment.objects.filter(user=archivist).exists()


def test_sysadmin_cannot_assign_roles(logged_in, sysadmin, make_user, archive):
    user = make_user("clerk")
    response = logged_in(sysadmin).post(
        f"/system/users/{user.public_id}/",
        {"action": "assign", "role": roles.READER, "institution": str(archive.public_id)},
    )
    assert 'data-code="permission_denied"' in text_of(response)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_user_detail_of_unknown_user_is_404(logged_in, secadmin):
    assert logged_in(secadmin).get("/system/users/00000000-0000-0000-0000-000000000000/").status_code == 404


# ------------------------------------------------------------------ institutions


def test_sysadmin_creates_creating_agency_under_archive(logged_in, sysadmin, archive):
    client = logged_in(sysadmin)
    response = client.post(
        "/system/institutions/",
        {"code": "QXJY", "name": "清溪县教育局", "kind": "creator", "parent": str(archive.public_id)},
    )
    assert response.status_code == 302
    inst = Institution.objects.get(code="QXJY")
    assert inst.parent == archive and inst.kind == "creator"
    table = text_of(client.get("/system/institutions/")).split("<table")[1]
    assert table.index(archive.name) < table.index("清溪县教育局")  # tree order: parent first
    assert "立档单位" in table


def test_bad_institution_is_shown_and_not_created(logged_in, sysadmin, archive):
    response = logged_in(sysadmin).post(
        "/system/institutions/", {"code": archive.code, "name": "重复", "kind": "creator"}
    )
    assert response.status_code == 422
    assert 'data-code="accounts.duplicate_code"' in text_of(response)
    assert Institution.objects.filter(code=archive.code).count() == 1


# ------------------------------------------------------------------ own password


def test_change_own_password(client, archivist):
    client.post("/login/", {"username": "archivist", "password": PASSWORD})
    wrong = client.post(
        "/account/password/",
        {"current_password": "bad", "new_password": "New@Pass20261", "new_password2": "New@Pass20261"},
    )
    assert 'data-code="accounts.wrong_current_password"' in text_of(wrong)
    ok = client.post(
        "/account/password/",
        {"current_password": PASSWORD, "new_password": "New@Pass20261", "new_password2": "New@Pass20261"},
    )
    assert ok.status_code == 302
    archivist.refresh_from_db()
    assert archivist.check_password("New@Pass20261")
    assert client.get("/").status_code == 200  # the session survives the change


def test_stylesheets_of_the_pages_are_served(client, db):
    page = text_of(client.get("/login/"))
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert sheets
    for href in sheets:
        response = client.get(href)
        assert response.status_code == 200, href
        assert "text/css" in response["Content-Type"]


def test_search_box_only_for_those_who_may_search(logged_in, sysadmin, archivist):
    assert 'role="search"' not in text_of(logged_in(sysadmin).get("/"))
    assert 'role="search"' in text_of(logged_in(archivist).get("/"))


# ------------------------------------------------------------------ API keys page


def test_api_key_page_shows_the_token_once_and_revokes(logged_in, sysadmin, agency):
    from lantai.accounts.models import ApiKey

    client = logged_in(sysadmin)
    response = client.post(
        "/system/api-keys/",
        {
            "name": "OA 系统",
            "institution": str(agency.pk),
            "scopes": ["ingest.submit"],
            "expires_at": "2099-12-31",
        },
    )
    token = re.search(r'<code class="token">(lt_[^<]+)</code>', text_of(response))
    assert token, "the new token is shown"
    key = ApiKey.objects.get()
    assert key.institution == agency and key.scopes == ["ingest.submit"]
    again = text_of(client.get("/system/api-keys/"))
    assert token.group(1) not in again  # shown once only
    assert key.prefix in again
    client.post("/system/api-keys/", {"revoke": key.prefix})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "已吊销" in text_of(client.get("/system/api-keys/"))


def test_api_key_page_refuses_past_expiry_in_chinese(logged_in, sysadmin, archive):
    from lantai.accounts.models import ApiKey

    response = logged_in(sysadmin).post(
        "/system/api-keys/", {"name": "x", "institution": str(archive.pk), "expires_at": "2001-01-01"}
    )
    assert 'data-code="accounts.bad_expiry"' in text_of(response)
    assert "将来" in text_of(response)
    assert not ApiKey.objects.exists()


def test_revoke_is_worded_per_context(logged_in, sysadmin, secadmin, archivist, system, archive):
    """Same English msgid, two Chinese words: a key is 吊销 (cancelled), a role is 撤销 (withdrawn)."""
    services.create_api_key(system, institution=archive, name="OA", scopes=[])
    keys_page = text_of(logged_in(sysadmin).get("/system/api-keys/"))
    assert re.search(r'<button name="revoke"[^>]*>吊销</button>', keys_page)
    user_page = text_of(logged_in(secadmin).get(f"/system/users/{archivist.public_id}/"))
    assert '<button class="danger">撤销</button>' in user_page


def test_audit_page_shows_chinese_action_names_and_json_details(logged_in, auditor, secadmin, archivist):
    from lantai.accounts.actor import Actor

    services.set_clearance(Actor.for_user(secadmin), archivist, 3)
    page = text_of(logged_in(auditor).get("/system/audit/"))
    assert "更改涉密等级" in page
    assert "<code>{&quot;clearance&quot;: 3}</code>" in page  # JSON, escaped, not a Python repr


def test_disabling_or_resetting_a_user_ends_their_sessions(archivist, reader, system):
    victim = Client()
    victim.force_login(archivist)
    assert victim.get("/").status_code == 200
    services.set_user_active(system, archivist, False)
    assert victim.get("/").status_code == 302
    assert victim.get("/api/v1/me").status_code == 401

    other = Client()
    other.force_login(reader)
    services.change_password(system, reader, "Reset@Pass20261")
    assert other.get("/").status_code == 302  # the session hash no longer matches


def test_archivist_dashboard_counts_the_pre_archive_queue_in_scope(
    logged_in, archivist, reader, agency, system
):
    from lantai.catalog.models import Category, Fonds
    from lantai.ingest.models import Submission

    other = services.create_institution(system, code="ELSE", name="别处档案馆", kind=Institution.Kind.ARCHIVE)
    category = Category.objects.get(code="WS")
    for n, (inst, status) in enumerate(
        [
            (agency, Submission.Status.PASSED),  # in the archivist's scope, waiting
            (agency, Submission.Status.FAILED),  # in scope, failed
            (other, Submission.Status.PASSED),  # outside the scope: not counted
            (agency, Submission.Status.ACCEPTED),  # done: not counted
        ]
    ):
        fonds = Fonds.objects.get_or_create(
            code=f"F{inst.code}", defaults={"name": inst.name, "institution": inst}
        )[0]
        Submission.objects.create(
            institution=inst,
            package_id=f"P{n}",
            source_kind="api",
            fonds=fonds,
            category=category,
            status=status,
            content_digest="0" * 64,
        )
    page = text_of(logged_in(archivist).get("/"))
    assert re.search(r'<span class="value">1</span><span class="label">预归档库中待处理', page)
    assert re.search(r'<span class="value">1</span><span class="label">未通过检测的归档批次', page)
    assert "预归档库中待处理" not in text_of(logged_in(reader).get("/"))  # readers do no ingest work
