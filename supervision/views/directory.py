"""The talent-pool directory under /practice/pool/directory/: coordinators
and leaders find people of their subtree by tier, valid certificate,
technique mastered, category, unit and availability on a range of dates.

Only professional facts are shown (``selectors.directory``); anyone else
signed in gets 403, since the page is the same for everyone allowed and
reveals no row."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..forms.directory import DirectoryForm
from ..permissions import can_search_pool
from ..selectors import directory as selectors

PAGE_SIZE = 50


@login_required
@require_safe
def pool_directory(request):
    """The search form and, once it is valid, one page of the people found
    with their tiers, certificates in force, masteries and (for a range of
    dates) whether they are free, with what keeps the others busy."""
    if not can_search_pool(request.user):
        raise PermissionDenied
    form = DirectoryForm(request.GET or None, user=request.user)
    searched = not form.is_bound or form.is_valid()
    page, query = None, None
    if searched:
        query = form.query() if form.is_bound else selectors.DirectoryQuery()
        rows = selectors.directory_search(
            user=request.user, query=query, today=timezone.localdate()
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        people = list(page)
        busy_with = selectors.page_clashes(people, query)
        for person in people:
            person.busy_with = busy_with.get(person.pk, [])
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "supervision/directory/search.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "params": params.urlencode(),
        },
        status=200 if searched else 400,
    )


urlpatterns = [
    path("pool/directory/", pool_directory, name="pool_directory"),
]
