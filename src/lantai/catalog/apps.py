"""Django app configuration for lantai.catalog."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lantai.catalog"
    label = "catalog"
    verbose_name = "档案目录"

    def ready(self) -> None:
        from lantai.catalog import views, views_io

        views.register_pages()
        views_io.register_pages()
