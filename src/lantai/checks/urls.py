"""URLs of the checks app (included under /checks/)."""

from django.urls import path

from lantai.checks import views

app_name = "checks"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", views.item_edit, name="item_edit"),
    path("formats/new/", views.format_edit, name="format_new"),
    path("formats/<str:code>/", views.format_edit, name="format_edit"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/<str:code>/", views.scheme_edit, name="scheme_edit"),
    path("runs/<str:public_id>/", views.run_report, name="run"),
    path("runs/<str:public_id>/report.json", views.run_report_json, name="run_json"),
    path("runs/<str:public_id>/report.pdf", views.run_report_pdf, name="run_pdf"),
]
