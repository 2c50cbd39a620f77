"""Django app configuration for lantai.checks (四性检测)."""

from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "lantai.checks"
    label = "checks"
    verbose_name = "四性检测"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from lantai.web.navigation import Page, register_page

        register_page(
            "system", Page("check_schemes", _("Check schemes"), "checks:schemes", "system.configure")
        )
        register_page(
            "system", Page("check_catalogue", _("Check catalogue"), "checks:catalogue", "system.configure")
        )
