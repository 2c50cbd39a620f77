"""Django app configuration for lantai.search."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lantai.search"
    label = "search"
    verbose_name = "检索"
