"""The trainee's practice home: notices and the ways into practice."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from lms.core.models import Notice
from lms.core.services.notices import notices_mark_read

#: Notices shown on the home page; older ones stay readable in the list.
NOTICES_SHOWN = 20


@login_required
def practice_home(request):
    """Unread notices first, then the recent read ones; the sections of
    practice the person's roles open."""
    notices = list(
        Notice.objects.filter(person=request.user).order_by(
            "read_at", "-created_at", "-id"
        )[:NOTICES_SHOWN]
    )
    return render(
        request,
        "supervision/home.html",
        {
            "notices": notices,
            "unread": sum(1 for notice in notices if notice.read_at is None),
            "sections": sections_for(request.user),
        },
    )


@login_required
@require_POST
def notices_read(request):
    """Mark every unread notice of the person read."""
    notices_mark_read(person=request.user)
    return redirect("supervision:home")


def sections_for(user) -> list[dict]:
    """Filled in by the areas as they land (see ``home_sections``)."""
    from ..home_sections import sections_for

    return sections_for(user)


urlpatterns = [
    path("", practice_home, name="home"),
    path("notices/read/", notices_read, name="notices_read"),
]
