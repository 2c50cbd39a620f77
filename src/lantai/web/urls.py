"""Staff UI routes."""

from django.urls import path

from lantai.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("m/<str:module>/", views.module_page, name="module"),
    path("system/users/", views.users, name="users"),
    path("system/api-keys/", views.api_keys, name="api_keys"),
    path("system/audit/", views.audit_log, name="audit"),
    path("system/audit/export.csv", views.audit_export, name="audit_export"),
]
