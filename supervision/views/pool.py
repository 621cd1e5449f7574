"""Talent-pool pages under /practice/pool/: my tier (where I stand and the
gap to each next tier, with the certification page's have / need / next
step), a person's dossier with the coordinator's decision (leaders read
it), and the coordinators' review queue.

People are fetched through ``selectors.pool``, so anyone outside the
user's subtree is not found (404); a leader who may read a dossier but not
decide gets 403 on the decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ..forms.pool import DecisionForm
from ..permissions import can_decide_tier, can_review_pool
from ..selectors import pool as selectors
from ..selectors.next_steps import next_step
from ..services import pool as services


def _rows(person, results) -> list[dict]:
    """Requirement rows as the certification track page shows them."""
    return [
        {
            "result": result,
            "percent": max(0, min(100, int(result.percent))),
            "step": None if result.met else next_step(person, result),
        }
        for result in results
    ]


def _next_tiers(person, standing, *, steps: bool) -> list[dict]:
    return [
        {
            "tier": item.tier,
            "met": item.met,
            "total": item.total,
            "ready": item.ready,
            "rows": _rows(person, item.results)
            if steps
            else [
                {"result": r, "percent": max(0, min(100, int(r.percent))), "step": None}
                for r in item.results
            ],
        }
        for item in standing.next_tiers
    ]


@login_required
@require_safe
def pool_mine(request):
    """My tier: the scheme that applies to me, my tier and since when, a
    review flag, and for each next tier its rules with what is missing and
    the next step."""
    user = request.user
    standing = selectors.standing(user)
    return render(
        request,
        "supervision/pool/mine.html",
        {
            "standing": standing,
            "next_tiers": _next_tiers(user, standing, steps=True),
            "history": selectors.tier_history(person=user)[:50],
        },
    )


def _person_for(request, pk):
    return get_object_or_404(
        selectors.pool_people_visible_to(user=request.user).select_related("home_unit"),
        pk=pk,
    )


def _dossier_context(request, person, *, form=None) -> dict:
    standing = selectors.standing(person)
    deciding = can_decide_tier(request.user, person)
    return {
        "person": person,
        "dossier": selectors.dossier(person, today=timezone.localdate()),
        "standing": standing,
        "next_tiers": _next_tiers(person, standing, steps=False),
        "deciding": deciding,
        "form": (form or DecisionForm(person=person)) if deciding else None,
    }


@login_required
@require_safe
def pool_dossier(request, pk):
    """One person's dossier: certificates, hours by category and period,
    ratings and comments, masteries, practice and supervision counts, the
    tier history, their standing on the next tiers; the decision form for a
    coordinator over them."""
    person = _person_for(request, pk)
    return render(
        request, "supervision/pool/dossier.html", _dossier_context(request, person)
    )


def _refusal(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or _("You cannot do this.")]


def _act(request, person, form) -> str:
    """Carry out the form's decision; the success sentence."""
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    if action == DecisionForm.PLACE:
        member = services.tier_place(
            actor=request.user,
            person=person,
            tier=data["tier"],
            reason=reason,
            request=request,
        )
        return _("%(person)s is now in %(tier)s.") % {
            "person": str(person),
            "tier": str(member.tier),
        }
    member = data["member"]
    if action == DecisionForm.KEEP:
        services.review_keep(
            actor=request.user, member=member, reason=reason, request=request
        )
        return _("%(person)s stays in %(tier)s.") % {
            "person": str(person),
            "tier": str(member.tier),
        }
    services.pool_remove(
        actor=request.user,
        person=person,
        scheme=member.scheme,
        reason=reason,
        request=request,
    )
    return _("%(person)s was taken out of %(scheme)s.") % {
        "person": str(person),
        "scheme": str(member.scheme),
    }


@login_required
@require_POST
def pool_decide(request, pk):
    """The coordinator's decision (POST): a refusal comes back on the
    dossier with the form, nothing written."""
    person = _person_for(request, pk)
    if not can_decide_tier(request.user, person):
        raise PermissionDenied
    form = DecisionForm(request.POST, person=person)
    if form.is_valid():
        try:
            done = _act(request, person, form)
        except (ValidationError, PermissionDenied) as error:
            for message in _refusal(error):
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect("supervision:pool_dossier", pk=person.pk)
    return render(
        request,
        "supervision/pool/dossier.html",
        _dossier_context(request, person, form=form),
        status=400,
    )


@login_required
@require_safe
def pool_review(request):
    """The review queue of the coordinator's subtree: members flagged for
    review and people who meet a next tier's rules."""
    if not can_review_pool(request.user):
        raise PermissionDenied
    queue = selectors.review_queue(user=request.user)
    return render(request, "supervision/pool/review.html", {"queue": queue})


urlpatterns = [
    path("pool/", pool_mine, name="pool_mine"),
    path("pool/review/", pool_review, name="pool_review"),
    path("pool/people/<int:pk>/", pool_dossier, name="pool_dossier"),
    path("pool/people/<int:pk>/decide/", pool_decide, name="pool_decide"),
]
