"""Crisis deployments under /practice/crisis/deployments/: the list of a
coordinator's or leader's subtree, the need form, and one deployment's
page with the ranked proposal (tick and call out), who acknowledged and
when, and the coordinator's actions (fill a place, stand someone down,
close, cancel).

Deployments are fetched through ``selectors.deployments``, so an outsider
gets 404; a leader over the unit reads the page and gets 403 for the
actions.  The public answer page is ``views.callouts``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lms.core.decorators import role_required
from lms.core.models import Role

from ..forms.deployments import (
    CallForm,
    CancelForm,
    CloseForm,
    DeploymentForm,
    WithdrawForm,
)
from ..models import CallOut, Deployment
from ..permissions import can_manage_deployment
from ..selectors.deployments import (
    callouts_of,
    deployments_visible_to,
    places_held,
    with_places,
)
from ..services import deployments as services

Status = Deployment.Status
PAGE_SIZE = 50
#: Reserves shown below the places to fill, so the coordinator can adjust.
RESERVES = 10
#: Rows of the proposal on the page, at most.
PROPOSAL_ROWS = 250
#: Call-outs that left a place to fill.
VACATED = frozenset(
    {CallOut.Status.DECLINED, CallOut.Status.EXPIRED, CallOut.Status.WITHDRAWN}
)


def _refusal(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


@role_required(Role.COORDINATOR, Role.LEADER)
@require_safe
def deployment_list(request):
    """Deployments of the user's subtree, newest first, with places held."""
    rows = with_places(deployments_visible_to(user=request.user))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/crisis/deployments_list.html",
        {
            "page": page,
            "may_create": request.user.is_superuser
            or request.user.has_role(Role.COORDINATOR),
        },
    )


@role_required(Role.COORDINATOR)
@require_http_methods(["GET", "HEAD", "POST"])
def deployment_new(request):
    """The need form; saving goes through ``deployment_create``."""
    posted = request.method == "POST"
    form = DeploymentForm(request.POST if posted else None, user=request.user)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            deployment = services.deployment_create(
                actor=request.user,
                title=data["title"],
                incident_type=data["incident_type"],
                description=data["description"],
                unit=data["unit"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                size=data["size"],
                tracks=list(data["tracks"]),
                tier=data["tier"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, _refusal(error))
        else:
            messages.success(
                request,
                _("The need is described. Tick the people to call out."),
            )
            return redirect("supervision:deployment_detail", pk=deployment.pk)
    return render(
        request,
        "supervision/crisis/deployments_new.html",
        {"form": form},
        status=400 if posted else 200,
    )


def _visible(request, pk) -> Deployment:
    return get_object_or_404(deployments_visible_to(user=request.user), pk=pk)


def _managed(request, pk) -> Deployment:
    """Someone who may see the deployment but not run it gets 403; anyone
    else 404."""
    deployment = _visible(request, pk)
    if not can_manage_deployment(request.user, deployment):
        raise PermissionDenied
    return deployment


def _proposal(request, deployment, free: int) -> list:
    if (
        free <= 0
        or deployment.status not in (Status.ASSEMBLING, Status.CALLED)
        or deployment.ends_on < timezone.localdate()
    ):
        return []
    candidates = services.proposal_for(
        deployment,
        actor=request.user,
        limit=min(PROPOSAL_ROWS, free + RESERVES),
    )
    for candidate in candidates:
        candidate.ticked = candidate.rank <= free
    return candidates


@login_required
@require_safe
def deployment_detail(request, pk):
    """One deployment: the need, places held, every call-out with its
    answer and time, the places to fill, the proposal to call out from
    (coordinators), and the history."""
    deployment = _visible(request, pk)
    managing = can_manage_deployment(request.user, deployment)
    callouts = callouts_of(deployment)
    places = places_held(callouts)
    free = deployment.size - places["held"]
    calling = deployment.status == Status.CALLED
    for callout in callouts:
        callout.may_fill = (
            managing
            and calling
            and free > 0
            and callout.filled_by is None
            and (callout.status in VACATED or callout.is_overdue)
        )
        callout.may_withdraw = (
            managing
            and calling
            and callout.status in CallOut.HOLDING
            and not callout.is_overdue
        )
    return render(
        request,
        "supervision/crisis/deployments_detail.html",
        {
            "deployment": deployment,
            "tracks": list(deployment.required_tracks.all()),
            "callouts": callouts,
            "places": places,
            "free": max(free, 0),
            "complete": places["accepted"] >= deployment.size,
            "managing": managing,
            "may_call": managing
            and free > 0
            and deployment.status in (Status.ASSEMBLING, Status.CALLED)
            and deployment.ends_on >= timezone.localdate(),
            "may_cancel": managing
            and deployment.status in (Status.ASSEMBLING, Status.CALLED),
            "proposal": _proposal(request, deployment, free) if managing else [],
            "cancel_form": CancelForm() if managing else None,
            "history": deployment.transitions.select_related("actor"),
        },
    )


def _back(deployment):
    return redirect("supervision:deployment_detail", pk=deployment.pk)


@login_required
@require_POST
def deployment_call(request, pk):
    deployment = _managed(request, pk)
    form = CallForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return _back(deployment)
    try:
        callouts = services.deployment_call(
            actor=request.user,
            deployment=deployment,
            person_ids=form.cleaned_data["people"],
            request=request,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request,
            _("%(count)s people were called out; each got a link to answer.")
            % {"count": len(callouts)},
        )
    return _back(deployment)


def _callout(deployment, callout_pk) -> CallOut:
    return get_object_or_404(
        deployment.callouts.select_related("person", "deployment__unit"),
        pk=callout_pk,
    )


@login_required
@require_POST
def callout_fill(request, pk, callout_pk):
    deployment = _managed(request, pk)
    callout = _callout(deployment, callout_pk)
    try:
        new = services.callout_fill(
            actor=request.user, callout=callout, request=request
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request,
            _("%(name)s was called out in place of %(old)s.")
            % {"name": new.person, "old": callout.person},
        )
    return _back(deployment)


def _decide(request, page, form, field, action, success, **target):
    """Check ``form`` (one text field, ``field``), hand it to the service
    ``action`` with ``target``, and come back to the deployment ``page``
    with a sentence either way."""
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get(field, [])))
        return _back(page)
    try:
        action(
            actor=request.user,
            request=request,
            **target,
            **{field: form.cleaned_data[field]},
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, success)
    return _back(page)


@login_required
@require_POST
def callout_withdraw(request, pk, callout_pk):
    deployment = _managed(request, pk)
    callout = _callout(deployment, callout_pk)
    return _decide(
        request,
        deployment,
        WithdrawForm(request.POST),
        "reason",
        services.callout_withdraw,
        _("%(name)s is stood down.") % {"name": callout.person},
        callout=callout,
    )


@login_required
@require_POST
def deployment_close(request, pk):
    deployment = _managed(request, pk)
    return _decide(
        request,
        deployment,
        CloseForm(request.POST),
        "comment",
        services.deployment_close,
        _("The deployment is closed."),
        deployment=deployment,
    )


@login_required
@require_POST
def deployment_cancel(request, pk):
    deployment = _managed(request, pk)
    return _decide(
        request,
        deployment,
        CancelForm(request.POST),
        "reason",
        services.deployment_cancel,
        _("The deployment is cancelled; everyone called was told."),
        deployment=deployment,
    )


urlpatterns = [
    path("crisis/deployments/", deployment_list, name="deployment_list"),
    path("crisis/deployments/new/", deployment_new, name="deployment_new"),
    path("crisis/deployments/<int:pk>/", deployment_detail, name="deployment_detail"),
    path("crisis/deployments/<int:pk>/call/", deployment_call, name="deployment_call"),
    path(
        "crisis/deployments/<int:pk>/close/",
        deployment_close,
        name="deployment_close",
    ),
    path(
        "crisis/deployments/<int:pk>/cancel/",
        deployment_cancel,
        name="deployment_cancel",
    ),
    path(
        "crisis/deployments/<int:pk>/callouts/<int:callout_pk>/fill/",
        callout_fill,
        name="callout_fill",
    ),
    path(
        "crisis/deployments/<int:pk>/callouts/<int:callout_pk>/withdraw/",
        callout_withdraw,
        name="callout_withdraw",
    ),
]
