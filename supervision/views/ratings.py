"""Competency ratings under /practice/ratings/: a person's ratings (the
person, their supervisors, coordinators and leaders over them), the
rating form (a supervisor of the person), and my own ratings.  People are
fetched through ``selectors.ratings.person_for_ratings``, so anyone else
gets 404; an insider who may read but not rate gets 403 on the form."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ..forms.ratings import RatingForm
from ..permissions import can_rate
from ..selectors import ratings as selectors
from ..services.ratings import rating_record


def _history(person) -> list[tuple]:
    """(rubric, its ratings newest first) for every rubric ``person`` was
    rated on."""
    ratings = selectors.ratings_of(person=person)
    return [
        (rubric, list(rows))
        for rubric, rows in groupby(ratings, key=lambda rating: rating.rubric)
    ]


def _list_page(request, person):
    rubrics = list(selectors.rubrics_in_use()) if can_rate(request.user, person) else []
    return render(
        request,
        "supervision/ratings/list.html",
        {
            "person": person,
            "is_me": person.pk == request.user.pk,
            "history": _history(person),
            "rubrics": rubrics,
        },
    )


@never_cache
@login_required
@require_safe
def my_ratings(request):
    """The ratings my supervisors gave me."""
    return _list_page(request, request.user)


@never_cache
@login_required
@require_safe
def rating_list(request, person_pk: int):
    """A person's ratings, per rubric, and (for their supervisors) the
    rubrics to rate them with."""
    person = selectors.person_for_ratings(user=request.user, pk=person_pk)
    return _list_page(request, person)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rating_new(request, person_pk: int, rubric_pk: int):
    """Fill in ``rubric`` for the person: a supervisor of theirs only."""
    person = selectors.person_for_ratings(user=request.user, pk=person_pk)
    if not can_rate(request.user, person):
        raise PermissionDenied
    rubric = get_object_or_404(selectors.rubrics_in_use(), pk=rubric_pk)
    form = RatingForm(request.POST or None, rubric=rubric)
    if request.method == "POST" and form.is_valid():
        try:
            rating_record(
                actor=request.user,
                person=person,
                rubric=rubric,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The rating was recorded."))
            return HttpResponseRedirect(
                reverse("supervision:rating_list", args=[person.pk])
            )
    return render(
        request,
        "supervision/ratings/form.html",
        {"person": person, "rubric": rubric, "form": form},
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("ratings/mine/", my_ratings, name="my_ratings"),
    path("ratings/people/<int:person_pk>/", rating_list, name="rating_list"),
    path(
        "ratings/people/<int:person_pk>/rate/<int:rubric_pk>/",
        rating_new,
        name="rating_new",
    ),
]
