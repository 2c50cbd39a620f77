"""Django app configuration for lantai.ingest."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "lantai.ingest"
    label = "ingest"
    verbose_name = "在线归档"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from lantai.web.navigation import Page, register_page

        register_page("collect", Page("online", _("Online archiving"), "ingest:submissions", "ingest.review"))
        register_page("arrange", Page("pre_archive", _("Pre-archive queue"), "ingest:queue", "ingest.review"))
