"""Django app configuration for lantai.catalog."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lantai.catalog"
    label = "catalog"
    verbose_name = "档案目录"
