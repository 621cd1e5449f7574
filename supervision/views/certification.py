"""Certification pages under /practice/certification/: my tracks and
enrolling, the progress page of one enrolment (the trainee, their
supervisors and coordinators and leaders over them), applying, the
coordinator's queue, decision and version move, and the progress table
of a track version for coordinators and leaders.

Enrolments are fetched through ``selectors.enrolments``, so an outsider
gets 404; evaluation is ``selectors.certification``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lms.core.decorators import role_required
from lms.core.models import Role

from ..forms.certification import DecideForm, MoveVersionForm
from ..models import Enrolment
from ..permissions import can_decide_enrolment
from ..selectors import certification
from ..selectors import enrolments as selectors
from ..selectors.certificates import certificates_held_by
from ..selectors.next_steps import next_step
from ..services import certification as services

Status = Enrolment.Status
#: Applications listed on the queue page.
QUEUE_ROWS = 200
#: People in one progress table (the selector counts with a fixed number
#: of queries, the page stays readable).
COHORT_ROWS = 500


def _summary(results) -> dict:
    met = sum(1 for result in results if result.met)
    total = len(results)
    return {
        "met": met,
        "total": total,
        "percent": round(100 * met / total) if total else 100,
    }


def _refusal(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do this.")


# --- my tracks ----------------------------------------------------------------


@login_required
@require_safe
def certification_home(request):
    """My enrolments with how far each is, and the tracks I may enrol in."""
    user = request.user
    mine = []
    for enrolment in selectors.enrolments_of(person=user):
        results = certification.evaluate(user, enrolment.version)
        mine.append({"enrolment": enrolment, **_summary(results)})
    enrolled = {row["enrolment"].track_id for row in mine}
    may_enrol = user.has_role(Role.TRAINEE)
    open_tracks = [
        track
        for track in selectors.tracks_open_to(person=user).order_by("name")
        if track.pk not in enrolled
    ]
    return render(
        request,
        "supervision/certification/home.html",
        {
            "mine": mine,
            "certificates": certificates_held_by(person=user),
            "open_tracks": open_tracks if may_enrol else [],
            "is_coordinator": user.is_superuser or user.has_role(Role.COORDINATOR),
            "is_manager": user.is_superuser
            or bool(user.roles & {Role.COORDINATOR, Role.LEADER}),
        },
    )


@role_required(Role.TRAINEE)
@require_POST
def certification_enrol(request, track_pk):
    track = get_object_or_404(
        selectors.tracks_open_to(person=request.user), pk=track_pk
    )
    try:
        enrolment = services.track_enrol(
            actor=request.user, person=request.user, track=track, request=request
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
        return redirect("supervision:certification_home")
    messages.success(
        request, _("You are enrolled in %(track)s.") % {"track": track.name}
    )
    return redirect("supervision:certification_track", enrolment_pk=enrolment.pk)


# --- the progress page --------------------------------------------------------


def _enrolment_for(request, enrolment_pk) -> Enrolment:
    return get_object_or_404(
        selectors.enrolments_visible_to(user=request.user), pk=enrolment_pk
    )


def _rows(enrolment, results) -> list[dict]:
    return [
        {
            "result": result,
            "percent": max(0, min(100, int(result.percent))),
            "step": None if result.met else next_step(enrolment.person, result),
        }
        for result in results
    ]


def _track_context(request, enrolment, *, decide_form=None, move_form=None) -> dict:
    user = request.user
    results = certification.evaluate(enrolment.person, enrolment.version)
    summary = _summary(results)
    latest = selectors.latest_published(enrolment.track)
    deciding = can_decide_enrolment(user, enrolment)
    newer = (
        latest
        if latest is not None
        and latest.pk != enrolment.version_id
        and enrolment.status not in (Status.APPLIED, Status.APPROVED)
        else None
    )
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "rows": _rows(enrolment, results),
        "summary": summary,
        "is_trainee": user.pk == enrolment.person_id,
        "may_apply": user.pk == enrolment.person_id
        and summary["met"] == summary["total"]
        and enrolment.status in (Status.ENROLLED, Status.DECLINED),
        "history": enrolment.transitions.select_related("actor"),
        "deciding": deciding,
        "decide_form": (decide_form or DecideForm())
        if deciding and enrolment.status == Status.APPLIED
        else None,
        "newer": newer if deciding else None,
        "move_form": (move_form or MoveVersionForm()) if deciding and newer else None,
    }


@login_required
@require_safe
def certification_track(request, enrolment_pk):
    """One enrolment: per requirement a bar, have / need, what is missing
    and the next step as a link; applying; the history; for coordinators
    over the trainee the decision and the move to the latest version."""
    enrolment = _enrolment_for(request, enrolment_pk)
    return render(
        request,
        "supervision/certification/track.html",
        _track_context(request, enrolment),
    )


@login_required
@require_POST
def certification_apply(request, enrolment_pk):
    enrolment = _enrolment_for(request, enrolment_pk)
    try:
        services.enrolment_apply(
            actor=request.user, enrolment=enrolment, request=request
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request, _("You applied; a coordinator will decide on your application.")
        )
    return redirect("supervision:certification_track", enrolment_pk=enrolment.pk)


def _decidable(request, enrolment_pk) -> Enrolment:
    """Someone who may see the page but not decide gets 403; anyone else 404."""
    enrolment = _enrolment_for(request, enrolment_pk)
    if not can_decide_enrolment(request.user, enrolment):
        raise PermissionDenied
    return enrolment


@login_required
@require_POST
def certification_decide(request, enrolment_pk):
    enrolment = _decidable(request, enrolment_pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_decide(
                actor=request.user,
                enrolment=enrolment,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The application is approved.")
                if form.approve
                else _("The application is declined."),
            )
            return redirect(
                "supervision:certification_track", enrolment_pk=enrolment.pk
            )
    enrolment.refresh_from_db()
    context = _track_context(request, enrolment, decide_form=form)
    context["decide_form"] = form
    return render(request, "supervision/certification/track.html", context, status=400)


@login_required
@require_POST
def certification_move_version(request, enrolment_pk):
    enrolment = _decidable(request, enrolment_pk)
    form = MoveVersionForm(request.POST)
    latest = selectors.latest_published(enrolment.track)
    if form.is_valid():
        try:
            if latest is None:
                raise ValidationError(_("The track has no published version."))
            services.enrolment_move_version(
                actor=request.user,
                enrolment=enrolment,
                version=latest,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(
                request,
                _("The trainee is now held to version %(number)s.")
                % {"number": latest.number},
            )
        return redirect("supervision:certification_track", enrolment_pk=enrolment.pk)
    context = _track_context(request, enrolment, move_form=form)
    context["move_form"] = form
    return render(request, "supervision/certification/track.html", context, status=400)


# --- coordinators and leaders -------------------------------------------------


@role_required(Role.COORDINATOR)
@require_safe
def certification_queue(request):
    """Applications waiting for a decision in the coordinator's subtree."""
    waiting = selectors.applications_waiting_for(user=request.user)
    return render(
        request,
        "supervision/certification/queue.html",
        {"waiting": waiting[:QUEUE_ROWS], "total": waiting.count()},
    )


@role_required(Role.COORDINATOR, Role.LEADER)
@require_safe
def certification_cohort(request):
    """People of the subtree enrolled in one track version × its
    requirements.  The version comes from ``?version=`` among those with
    enrolments in scope (404 for another), the first one by default."""
    versions = list(selectors.cohort_versions_for(user=request.user))
    chosen = None
    raw = request.GET.get("version", "")
    if raw:
        if not raw.isdigit() or len(raw) > 10:
            raise Http404
        chosen = next((v for v in versions if v.pk == int(raw)), None)
        if chosen is None:
            raise Http404
    elif versions:
        chosen = versions[0]
    table = []
    requirements = []
    if chosen is not None:
        enrolments = list(
            selectors.cohort_enrolments(user=request.user, version=chosen)[:COHORT_ROWS]
        )
        people = [enrolment.person for enrolment in enrolments]
        results = certification.evaluate_many(people, chosen)
        requirements = list(chosen.requirements.all())
        for enrolment in enrolments:
            row = results.get(enrolment.person_id, [])
            table.append(
                {
                    "enrolment": enrolment,
                    "results": row,
                    **_summary(row),
                }
            )
    return render(
        request,
        "supervision/certification/cohort.html",
        {
            "versions": versions,
            "chosen": chosen,
            "requirements": requirements,
            "table": table,
            "url": reverse("supervision:certification_cohort"),
        },
    )


urlpatterns = [
    path("certification/", certification_home, name="certification_home"),
    path(
        "certification/tracks/<int:track_pk>/enrol/",
        certification_enrol,
        name="certification_enrol",
    ),
    path(
        "certification/<int:enrolment_pk>/",
        certification_track,
        name="certification_track",
    ),
    path(
        "certification/<int:enrolment_pk>/apply/",
        certification_apply,
        name="certification_apply",
    ),
    path(
        "certification/<int:enrolment_pk>/decide/",
        certification_decide,
        name="certification_decide",
    ),
    path(
        "certification/<int:enrolment_pk>/move-version/",
        certification_move_version,
        name="certification_move_version",
    ),
    path("certification/queue/", certification_queue, name="certification_queue"),
    path("certification/cohort/", certification_cohort, name="certification_cohort"),
]
