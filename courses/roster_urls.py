"""Roster import pages for coordinators, mounted at ``manage/roster/``."""

from django.urls import path

from . import roster_views as views

app_name = "roster"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("template.xlsx", views.template_xlsx, name="template_xlsx"),
    path("template.csv", views.template_csv, name="template_csv"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/import/", views.start, name="start"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/status/", views.status, name="status"),
]
