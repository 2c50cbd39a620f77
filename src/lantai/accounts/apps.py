"""Django app configuration for lantai.accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lantai.accounts"
    label = "accounts"
    verbose_name = "账户与权限"
