"""Django app configuration for lantai.checks (四性检测)."""

from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "lantai.checks"
    label = "checks"
    verbose_name = "四性检测"
