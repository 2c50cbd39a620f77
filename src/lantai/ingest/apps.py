"""Django app configuration for lantai.ingest."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "lantai.ingest"
    label = "ingest"
    verbose_name = "在线归档"
