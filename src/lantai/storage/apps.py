"""Django app configuration for lantai.storage."""

from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "lantai.storage"
    label = "storage"
    verbose_name = "存储"
