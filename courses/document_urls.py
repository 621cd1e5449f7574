"""Lesson attachments, mounted at ``documents/`` under Wagtail's URL names
(``wagtaildocs_serve`` is what ``Document.url`` reverses)."""

from django.urls import path

from . import document_views as views

urlpatterns = [
    path(
        "<int:document_id>/<path:document_filename>",
        views.document_serve,
        name="wagtaildocs_serve",
    ),
    path(
        "authenticate_with_password/<int:restriction_id>/",
        views.authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
]
