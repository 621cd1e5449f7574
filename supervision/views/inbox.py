"""The supervisor's inbox under /practice/inbox/: pending sign-offs,
supervision due, video lessons to review and masteries to confirm, with
approve and return in place.  The forms post to the practice log's,
techniques' and video lessons' own endpoints with ``next`` back here."""

from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from lms.core.decorators import role_required
from lms.core.models import Role

from ..selectors.inbox import inbox_for


@role_required(Role.SUPERVISOR)
@require_safe
def inbox_show(request):
    """Everything waiting for this supervisor, oldest first; supervisors
    only (others get 403, as ``role_required`` answers)."""
    sections = inbox_for(user=request.user)
    return render(
        request,
        "supervision/inbox/show.html",
        {
            "sections": sections,
            "here": reverse("supervision:inbox_show"),
            "nothing": not any(section.total for section in sections.values()),
        },
    )


urlpatterns = [
    path("inbox/", inbox_show, name="inbox_show"),
]
