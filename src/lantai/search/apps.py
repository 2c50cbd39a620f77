"""Django app configuration for lantai.search: hooks the indexer to catalogue changes and
adds the search page to the module bar."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "lantai.search"
    label = "search"
    verbose_name = "检索"

    def ready(self) -> None:
        from lantai.catalog import hooks
        from lantai.search.indexing import on_items_changed
        from lantai.web.navigation import Page, register_page

        if on_items_changed not in hooks.ITEM_LISTENERS:
            hooks.ITEM_LISTENERS.append(on_items_changed)
        register_page("use", Page("search", _("Search"), "search:results", "search.use"))
