"""Staff URLs of online archiving (included under /ingest/)."""

from django.urls import path

from lantai.ingest import views

app_name = "ingest"

urlpatterns = [
    path("", views.submissions, name="submissions"),
    path("upload/", views.upload, name="upload"),
    path("queue/", views.queue, name="queue"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/act/", views.act, name="act"),
]
