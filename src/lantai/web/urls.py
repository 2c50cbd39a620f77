"""Staff UI routes."""

from django.urls import path

from lantai.web import account_views, views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("m/<str:module>/", views.module_page, name="module"),
    path("system/users/", account_views.users, name="users"),
    path("system/users/<uuid:public_id>/", account_views.user_detail, name="user_detail"),
    path("system/institutions/", account_views.institutions, name="institutions"),
    path("account/password/", account_views.password_change, name="password_change"),
    path("system/api-keys/", views.api_keys, name="api_keys"),
    path("system/audit/", views.audit_log, name="audit"),
    path("system/audit/export.csv", views.audit_export, name="audit_export"),
]
