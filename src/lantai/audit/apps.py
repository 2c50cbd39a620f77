"""Django app configuration for lantai.audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lantai.audit"
    label = "audit"
    verbose_name = "审计"
