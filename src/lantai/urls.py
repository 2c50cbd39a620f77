"""URL map: the staff UI, the API at /api/v1/."""

from django.urls import include, path

from lantai.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("checks/", include("lantai.checks.urls")),
    path("search/", include("lantai.search.urls")),
    path("ingest/", include("lantai.ingest.urls")),
    path("catalogue/io/", include("lantai.catalog.urls_io")),
    path("catalogue/", include("lantai.catalog.urls")),
    path("", include("lantai.web.urls")),
]
