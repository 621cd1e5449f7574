"""Supervisor assignments: which supervisor is responsible for which
trainee, for practice or personal-growth supervision, and the rule that
the two differ.  Re-exported by ``supervision.services.supervisions``."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, Role, User
from lms.core.permissions import can_manage_units
from lms.core.selectors import leaders_over, people_manageable_by
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import SupervisionKind, SupervisorAssignment
from ..permissions import can_name_as_supervisor
from ..rules import rules_for
from ..selectors.people import supervisors_of


def _check_assigner(actor: User, *people: User) -> None:
    """Coordinators over both people (or superusers) may assign."""
    if not can_manage_units(actor):
        raise PermissionDenied(_("Only a coordinator may assign supervisors."))
    in_scope = people_manageable_by(user=actor).filter(pk__in=[p.pk for p in people])
    if in_scope.count() != len({p.pk for p in people}):
        raise PermissionDenied(
            _("You may assign supervisors only to people of your own units.")
        )


def _other_kind_supervisor_ids(
    trainee: User, kind: str, starts_on: datetime.date
) -> set[int]:
    """Supervisors of the other kind whose assignment is open on or after
    ``starts_on``; for the practice side also everyone who supervises the
    trainee's practice now (``supervisors_of``: mentors holding the
    supervisor role sign it off too)."""
    other = (
        SupervisionKind.GROWTH
        if kind == SupervisionKind.PRACTICE
        else SupervisionKind.PRACTICE
    )
    ids = set(
        SupervisorAssignment.objects.filter(trainee=trainee, kind=other)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .values_list("supervisor_id", flat=True)
    )
    if other == SupervisionKind.PRACTICE:
        ids |= set(supervisors_of(trainee=trainee).values_list("pk", flat=True))
    return ids


def _check_two_supervisor_rule(
    *, trainee: User, supervisor: User, kind: str, starts_on: datetime.date
) -> None:
    if not rules_for(trainee.home_unit).separate_growth_supervisor:
        return
    if supervisor.pk not in _other_kind_supervisor_ids(trainee, kind, starts_on):
        return
    names = {"supervisor": str(supervisor), "trainee": str(trainee)}
    if kind == SupervisionKind.GROWTH:
        message = _(
            "%(supervisor)s already supervises the practice of %(trainee)s; "
            "by this unit's rules their personal-growth supervisor must be "
            "someone else."
        )
    else:
        message = _(
            "%(supervisor)s is already the personal-growth supervisor of "
            "%(trainee)s; by this unit's rules their practice supervisor must "
            "be someone else."
        )
    raise ValidationError(message % names, code="two_supervisors")


def _check_assignment(
    *, trainee: User, supervisor: User, kind: str, starts_on: datetime.date
) -> None:
    if kind not in SupervisionKind.values:
        raise ValidationError(_("Choose practice or personal-growth supervision."))
    if trainee.pk == supervisor.pk:
        raise ValidationError(_("Nobody may supervise themselves."))
    if not (supervisor.is_active and supervisor.has_role(Role.SUPERVISOR)):
        raise ValidationError(
            _("%(name)s does not hold the supervisor role.") % {"name": supervisor}
        )
    already = SupervisorAssignment.objects.filter(
        trainee=trainee, supervisor=supervisor, kind=kind, ends_on__isnull=True
    )
    if already.exists():
        raise ValidationError(
            _("%(supervisor)s already supervises %(trainee)s for this kind.")
            % {"supervisor": supervisor, "trainee": trainee}
        )
    _check_two_supervisor_rule(
        trainee=trainee, supervisor=supervisor, kind=kind, starts_on=starts_on
    )


def supervisor_assign(
    *,
    actor: User,
    trainee: User,
    supervisor: User,
    kind: str,
    starts_on: datetime.date,
    request=None,
) -> SupervisorAssignment:
    """Make ``supervisor`` responsible for ``trainee``'s supervision of
    ``kind`` from ``starts_on``.

    Coordinators over both people only, and never naming themselves (see
    ``can_name_as_supervisor``); the supervisor must hold the supervisor
    role.  With the unit's rule on (the default) the personal-growth
    supervisor must differ from any open practice supervisor, and vice
    versa.  Audited with the trainee's supervisors of the kind before and
    after; both people and the leaders over their units get a notice.
    """
    _check_assigner(actor, trainee, supervisor)
    if not can_name_as_supervisor(actor, supervisor):
        raise ValidationError(
            _(
                "You cannot make yourself anyone's supervisor. Another "
                "coordinator or a platform administrator can make this assignment."
            ),
            code="self_assignment",
        )
    with transaction.atomic():
        # One assignment of a trainee at a time, so two coordinators
        # cannot break the two-supervisor rule between them.
        User.objects.select_for_update().filter(pk=trainee.pk).first()
        _check_assignment(
            trainee=trainee, supervisor=supervisor, kind=kind, starts_on=starts_on
        )
        supervisors_before = _supervisors_text(trainee, kind)
        try:
            with transaction.atomic():
                assignment = SupervisorAssignment.objects.create(
                    trainee=trainee,
                    supervisor=supervisor,
                    kind=kind,
                    starts_on=starts_on,
                    created_by=actor,
                )
        except IntegrityError as error:
            raise ValidationError(
                _("This supervisor already supervises this trainee for this kind.")
            ) from error
        audit_record(
            actor=actor,
            action=AuditAction.SUPERVISOR_ASSIGNMENT,
            obj=assignment,
            request=request,
            detail=f"{kind} supervisors of {trainee}: {supervisors_before} → "
            f"{_supervisors_text(trainee, kind)} (from {starts_on:%Y-%m-%d})",
        )
        _notify_assignment(assignment, actor=actor)
    return assignment


def _supervisors_text(trainee: User, kind: str) -> str:
    """The trainee's open supervisors of ``kind``, for the audit row."""
    rows = (
        SupervisorAssignment.objects.filter(
            trainee=trainee, kind=kind, ends_on__isnull=True
        )
        .select_related("supervisor")
        .order_by("starts_on", "pk")
    )
    return ", ".join(str(row.supervisor) for row in rows) or "—"


def _names(assignment: SupervisorAssignment, actor: User) -> dict[str, str]:
    return {
        "actor": str(actor),
        "supervisor": str(assignment.supervisor),
        "trainee": str(assignment.trainee),
        "kind": assignment.get_kind_display(),
        "date": f"{assignment.ends_on:%Y-%m-%d}" if assignment.ends_on else "",
    }


def _tell_leaders(assignment: SupervisorAssignment, text: str) -> None:
    """The leaders over the trainee's and the supervisor's units."""
    leaders = leaders_over(
        units=[
            unit
            for unit in (assignment.trainee.home_unit, assignment.supervisor.home_unit)
            if unit is not None
        ]
    ).exclude(pk__in=[assignment.trainee_id, assignment.supervisor_id])
    for leader in leaders:
        notice_send(person=leader, text=text)


def _notify_assignment(assignment: SupervisorAssignment, *, actor: User) -> None:
    names = _names(assignment, actor)
    notice_send(
        person=assignment.supervisor,
        text=_("You now supervise %(trainee)s (%(kind)s).") % names,
    )
    notice_send(
        person=assignment.trainee,
        text=_("%(supervisor)s is now your supervisor (%(kind)s).") % names,
        url=reverse("supervision:my_supervision"),
    )
    _tell_leaders(
        assignment,
        _("%(actor)s made %(supervisor)s the supervisor of %(trainee)s (%(kind)s).")
        % names,
    )


def supervisor_assignment_end(
    *,
    actor: User,
    assignment: SupervisorAssignment,
    ends_on: datetime.date,
    request=None,
) -> SupervisorAssignment:
    """End an open assignment on ``ends_on`` (today or earlier, not before
    it started).  Coordinators over both people only.  Audited with the
    trainee's supervisors of the kind before and after; both people and
    the leaders over their units get a notice."""
    _check_assigner(actor, assignment.trainee, assignment.supervisor)
    if ends_on > timezone.localdate():
        raise ValidationError(_("An assignment can end today at the latest."))
    if ends_on < assignment.starts_on:
        raise ValidationError(_("An assignment cannot end before it starts."))
    with transaction.atomic():
        row = SupervisorAssignment.objects.select_for_update().get(pk=assignment.pk)
        if row.ends_on is not None:
            raise ValidationError(_("This assignment has already ended."))
        supervisors_before = _supervisors_text(row.trainee, row.kind)
        row.ends_on = ends_on
        row.save(update_fields=["ends_on"])
        audit_record(
            actor=actor,
            action=AuditAction.SUPERVISOR_ASSIGNMENT,
            obj=row,
            request=request,
            detail=f"{row.kind} supervisors of {row.trainee}: {supervisors_before} "
            f"→ {_supervisors_text(row.trainee, row.kind)} "
            f"(ends on {ends_on:%Y-%m-%d})",
        )
        _notify_end(row, actor=actor)
    assignment.ends_on = ends_on
    return row


def _notify_end(assignment: SupervisorAssignment, *, actor: User) -> None:
    names = _names(assignment, actor)
    text = (
        _(
            "%(actor)s ended the supervision of %(trainee)s by %(supervisor)s "
            "(%(kind)s) on %(date)s."
        )
        % names
    )
    notice_send(person=assignment.supervisor, text=text)
    notice_send(person=assignment.trainee, text=text)
    _tell_leaders(assignment, text)
