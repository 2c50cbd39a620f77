"""Django app configuration for lantai.core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lantai.core"
    label = "core"
    verbose_name = "核心"
