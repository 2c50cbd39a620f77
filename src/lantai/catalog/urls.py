"""Routes of the catalogue staff pages (mounted at /catalogue/)."""

from django.urls import path

from lantai.catalog import views

app_name = "catalog"

urlpatterns = [
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<str:public_id>/", views.item_detail, name="item"),
    path("items/<str:public_id>/edit/", views.item_edit, name="item_edit"),
    path("renumber/", views.renumber_page, name="renumber"),
    path("volumes/", views.volume_list, name="volumes"),
    path("volumes/<str:public_id>/", views.volume_detail, name="volume"),
    path("fonds/", views.fonds_list, name="fonds"),
    path("fonds/<str:public_id>/", views.fonds_edit, name="fonds_edit"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<str:code>/", views.scheme_edit, name="scheme"),
    path("code-rules/", views.code_rules, name="code_rules"),
    path("code-rules/edit/", views.code_rule_edit, name="code_rule_edit"),
]
