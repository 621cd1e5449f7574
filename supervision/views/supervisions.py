"""Supervision (督导) pages: the sessions a supervisor held, recording one,
a session's page, the trainee's "my supervision" page, and techniques
with the three-client rule.

Growth sessions are found only through ``supervisions_visible_to``, so
anyone but their supervisor and participants gets 404; a participant
sees only their own note."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.core.decorators import role_required
from lms.core.models import Role
from lms.core.selectors import people_visible_to

from ..forms.supervisions import SupervisionSessionForm
from ..models import (
    GrowthNote,
    PracticeEntry,
    SupervisionKind,
    SupervisorAssignment,
    TechniqueMastery,
)
from ..permissions import can_confirm_mastery, can_read_summary
from ..selectors.people import supervised_person_q, supervisees_of
from ..selectors.supervisions import (
    entries_awaiting_supervision,
    growth_notes_visible_to,
    supervisions_visible_to,
)
from ..selectors.techniques import technique_progress
from ..services.supervisions import supervision_session_record
from ..services.techniques import mastery_confirm

PER_PAGE = 50
AWAITING_SHOWN = 50


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


@role_required(Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER)
def session_list(request):
    """Sessions the user held or attended, and for coordinators and
    leaders the practice sessions of their units; for supervisors also
    their trainees' entries awaiting supervision."""
    rows = (
        supervisions_visible_to(user=request.user)
        .select_related("supervisor", "unit")
        .annotate(people=Count("participants", distinct=True))
        .order_by("-held_at", "-pk")
    )
    awaiting = []
    can_record = request.user.has_role(Role.SUPERVISOR)
    if can_record:
        mine = PracticeEntry.objects.filter(
            supervised_person_q(request.user, field="person")
        ).exclude(person=request.user)
        awaiting = list(
            entries_awaiting_supervision(entries=mine)
            .select_related("person")
            .order_by("occurred_on", "pk")[:AWAITING_SHOWN]
        )
    return render(
        request,
        "supervision/supervisions/list.html",
        {"page": _page(request, rows), "awaiting": awaiting, "can_record": can_record},
    )


def _kind_of(request) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind")
    return kind if kind in SupervisionKind.values else SupervisionKind.PRACTICE


def _initial(request) -> dict:
    """Participants and entries preselected by links (``?person=&entry=``)."""
    return {
        "participants": [p for p in request.GET.getlist("person") if p.isdigit()],
        "entries": [e for e in request.GET.getlist("entry") if e.isdigit()],
    }


@role_required(Role.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def session_create(request):
    """Record a supervision the supervisor held."""
    kind = _kind_of(request)
    data = request.POST if request.method == "POST" else None
    form = SupervisionSessionForm(
        data, user=request.user, kind=kind, initial=_initial(request)
    )
    if form.is_bound and form.is_valid():
        try:
            session = supervision_session_record(
                actor=request.user, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The supervision was recorded."))
            return redirect("supervision:session_detail", pk=session.pk)
    return render(
        request,
        "supervision/supervisions/form.html",
        {"form": form, "kind": kind, "kinds": SupervisionKind.choices},
    )


@login_required
def session_detail(request, pk: int):
    """A session's page.  Practice: the supervisor and participants read
    everything; coordinators and leaders over the unit see the facts
    only.  Growth: only the supervisor (every note) and the participants
    (their own note) find it at all."""
    session = get_object_or_404(
        supervisions_visible_to(user=request.user).select_related("supervisor", "unit"),
        pk=pk,
    )
    user = request.user
    is_supervisor = user.pk == session.supervisor_id
    inside = can_read_summary(user, session)
    growth = session.kind == SupervisionKind.GROWTH
    show_people = inside and (is_supervisor or not growth)
    context = {
        "session": session,
        "is_supervisor": is_supervisor,
        "inside": inside,
        "participant_count": session.participants.count(),
        "participants": (
            session.participants.select_related("home_unit").order_by("username")
            if show_people
            else []
        ),
        "entries": (
            session.entries.select_related("person").order_by("occurred_on")
            if inside and not growth
            else []
        ),
        "notes": growth_notes_visible_to(user=user, session=session) if growth else [],
    }
    return render(request, "supervision/supervisions/detail.html", context)


@login_required
def my_supervision(request):
    """The trainee's page: supervisors, sessions attended, their own
    personal-growth notes, and their entries awaiting supervision."""
    user = request.user
    sessions = (
        user.supervisions_attended.select_related("supervisor")
        .order_by("-held_at", "-pk")
        .all()
    )
    notes = {
        note.session_id: note
        for note in GrowthNote.objects.filter(trainee=user, session__in=sessions)
    }
    page = _page(request, sessions)
    for session in page:
        session.my_note = notes.get(session.pk)
    own = PracticeEntry.objects.filter(person=user)
    context = {
        "page": page,
        "assignments": SupervisorAssignment.objects.filter(
            trainee=user, ends_on__isnull=True, starts_on__lte=timezone.localdate()
        ).select_related("supervisor"),
        "awaiting": entries_awaiting_supervision(entries=own).order_by("occurred_on"),
    }
    return render(request, "supervision/supervisions/mine.html", context)


# -- techniques ---------------------------------------------------------------


def _progress_page(request, person, *, own: bool):
    progress = technique_progress(person=person)
    waiting = [r.mastery for r in progress if r.mastery and not r.mastery.confirmed_at]
    # Who may confirm depends on the person only: ask once.
    may_confirm = bool(waiting) and can_confirm_mastery(request.user, waiting[0])
    confirmable = {mastery.pk for mastery in waiting} if may_confirm else set()
    return render(
        request,
        "supervision/supervisions/techniques.html",
        {
            "person": person,
            "own": own,
            "progress": progress,
            "confirmable": confirmable,
        },
    )


@login_required
def technique_list(request):
    """The trainee's techniques: "n of 3 clients", mastered, confirmed by."""
    return _progress_page(request, request.user, own=True)


def _people_seen_by(user):
    """The person, whom they supervise, and coordinators' and leaders'
    people."""
    from lms.core.models import User

    supervised = supervisees_of(user=user)
    visible = people_visible_to(user=user)
    return User.objects.filter(Q(pk__in=supervised) | Q(pk__in=visible))


@login_required
def technique_person(request, pk: int):
    """Someone's techniques, for their supervisors (who confirm here) and
    the coordinators and leaders over them."""
    person = get_object_or_404(_people_seen_by(request.user), pk=pk)
    return _progress_page(request, person, own=person.pk == request.user.pk)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return target
    return fallback


@login_required
@require_POST
def mastery_confirm_view(request, pk: int):
    """Confirm a mastery (POST; the inbox posts here with ``next``).
    Someone who cannot see the person gets 404; who can but may not
    confirm gets 403."""
    mastery = get_object_or_404(
        TechniqueMastery.objects.filter(
            person__in=_people_seen_by(request.user)
        ).select_related("person", "technique"),
        pk=pk,
    )
    mastery_confirm(actor=request.user, mastery=mastery, request=request)
    messages.success(request, _("The mastery was confirmed."))
    fallback = reverse("supervision:technique_person", args=[mastery.person_id])
    return redirect(_safe_next(request, fallback))


urlpatterns = [
    path("supervision/", session_list, name="session_list"),
    path("supervision/new/", session_create, name="session_create"),
    path("supervision/mine/", my_supervision, name="my_supervision"),
    path("supervision/<int:pk>/", session_detail, name="session_detail"),
    path("techniques/", technique_list, name="technique_list"),
    path("techniques/people/<int:pk>/", technique_person, name="technique_person"),
    path(
        "techniques/mastery/<int:pk>/confirm/",
        mastery_confirm_view,
        name="mastery_confirm",
    ),
]
