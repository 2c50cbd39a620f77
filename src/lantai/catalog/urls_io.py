"""Routes of the catalogue I/O pages: import, export, print."""

from django.urls import path

from lantai.catalog import views_io

app_name = "catalog_io"

urlpatterns = [
    path("import/", views_io.import_page, name="import"),
    path("import/template/<str:category>.xlsx", views_io.import_template, name="import_template"),
    path("import/<str:import_id>/", views_io.import_status, name="import_status"),
    path("import/<str:import_id>/commit/", views_io.import_commit, name="import_commit"),
    path("import/<str:import_id>/discard/", views_io.import_discard, name="import_discard"),
    path("import/<str:import_id>/errors.xlsx", views_io.import_report, name="import_report"),
    path("export.xlsx", views_io.export_view, name="export"),
    path("print/", views_io.print_page, name="print"),
]
