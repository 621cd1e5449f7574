"""Lesson attachments (Wagtail documents), mounted at ``documents/`` in
place of Wagtail's own document URLs.

The file goes out through Wagtail's serve view (its collection privacy
hooks, ETag, ``Content-Disposition`` and ``Content-Security-Policy``) only
after ``courses.selectors.documents.document_get_for`` has said this reader may have
it.  ``WAGTAILDOCS_SERVE_METHOD = "serve_view"`` keeps every link on these
URLs rather than on the storage's.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.documents.views import serve

from ..selectors.documents import document_get_for


@require_safe
@cache_control(private=True)
def document_serve(request, document_id: int, document_filename: str):
    """A document for a reader who may open a lesson linking it, or edit it
    in the admin; a 404 for everyone else.  Anonymous visitors are sent to
    the login page first, for every document URL, so the answer says
    nothing about which documents exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document_get_for(user=request.user, pk=document_id)
    return serve.serve(request, document_id, document_filename)


#: Wagtail's form for a collection's password, for signed-in people only.
authenticate_with_password = login_required(serve.authenticate_with_password)


urlpatterns = [
    path(
        "<int:document_id>/<path:document_filename>",
        document_serve,
        name="wagtaildocs_serve",
    ),
    path(
        "authenticate_with_password/<int:restriction_id>/",
        authenticate_with_password,
        name="wagtaildocs_authenticate_with_password",
    ),
]
