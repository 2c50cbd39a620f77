"""URLs of the search UI (mounted at /search/)."""

from django.urls import path

from lantai.search import views

app_name = "search"
urlpatterns = [path("", views.results, name="results")]
