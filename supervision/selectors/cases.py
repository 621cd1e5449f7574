"""Reads of cases, consent and referrals.

A case is visible to its practitioner and to the people who supervise
the practitioner's practice, nobody else: coordinators, leaders and
superusers by office get 404 and see counts only (``case_summary_for``).
"""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, AuditEvent, OrgUnit, User
from lms.core.selectors import units_visible_to

from ..models import Case, Consent, Referral
from .people import supervised_person_q


def observation_consent_on(*, case: Case, on: datetime.date) -> Consent | None:
    """The consent that lets a trainee observe ``case`` on ``on``: signed
    on or before that day, covering observation, not withdrawn (a
    withdrawal blocks every observation entry made after it, whatever
    date the entry names)."""
    return (
        Consent.objects.filter(
            case=case,
            covers_observation=True,
            signed_on__lte=on,
            withdrawn_on__isnull=True,
        )
        .order_by("-signed_on", "-id")
        .first()
    )


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    """Cases ``user`` holds and those of the people whose practice they
    supervise (the rule of ``can_read_case_notes``), newest first."""
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(
        Q(practitioner=user) | supervised_person_q(user, field="practitioner")
    ).select_related("practitioner", "unit")


def case_get_for(*, user: User, pk: int) -> Case:
    """One visible case, or 404 (for missing and forbidden alike)."""
    return get_object_or_404(cases_visible_to(user=user), pk=pk)


def consent_get_for(*, case: Case, pk: int) -> Consent:
    return get_object_or_404(Consent.objects.filter(case=case), pk=pk)


def case_risk_history(*, case: Case) -> list[dict]:
    """Opening, risk changes and closing of ``case``, oldest first, read
    back from the audit log: ``at``, ``actor`` and a sentence."""
    events = AuditEvent.objects.filter(
        action=AuditAction.CASE_CHANGE,
        object_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
    ).order_by("at", "id")
    return [
        {"at": event.at, "actor": event.actor_label, "text": _history_text(event)}
        for event in events
    ]


def _risk_label(value: str) -> str:
    return str(dict(Case.Risk.choices).get(value, value))


def _history_text(event: AuditEvent) -> str:
    detail = event.detail
    if detail.startswith("opened; risk "):
        risk = detail.removeprefix("opened; risk ")
        return _("Opened with risk level %(risk)s.") % {"risk": _risk_label(risk)}
    if detail.startswith("risk ") and " -> " in detail:
        before, after = detail.removeprefix("risk ").split(" -> ", 1)
        return _("Risk level changed from %(before)s to %(after)s.") % {
            "before": _risk_label(before),
            "after": _risk_label(after),
        }
    if detail.startswith("closed on "):
        return _("Closed on %(date)s.") % {"date": detail.removeprefix("closed on ")}
    return detail


def _empty_row(unit: OrgUnit) -> dict:
    return {
        "unit": unit,
        "open": dict.fromkeys(Case.Risk.values, 0),
        "open_total": 0,
        "closed": 0,
        "referrals": 0,
    }


def case_summary_for(*, user: User) -> dict:
    """Counts of the cases in the user's units (their subtree for
    coordinators and leaders): per unit, open cases by risk level, closed
    cases and referrals.  No codes, no text.  Three queries."""
    units = units_visible_to(user=user)
    counts = (
        Case.objects.filter(unit__in=units)
        .annotate(
            is_open=ExpressionWrapper(
                Q(closed_on__isnull=True), output_field=BooleanField()
            )
        )
        .values("unit", "risk_level", "is_open")
        .annotate(n=Count("pk"))
        .order_by()
    )
    referrals = (
        Referral.objects.filter(case__unit__in=units)
        .values("case__unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows: dict[int, dict] = {}
    tallies = defaultdict(list)
    for row in counts:
        tallies[row["unit"]].append(row)
    referral_counts = {row["case__unit"]: row["n"] for row in referrals}
    unit_ids = set(tallies) | set(referral_counts)
    for unit in OrgUnit.objects.filter(pk__in=unit_ids).order_by("path"):
        rows[unit.pk] = _empty_row(unit)
    for unit_id, tally in tallies.items():
        for row in tally:
            target = rows[unit_id]
            if row["is_open"]:
                target["open"][row["risk_level"]] += row["n"]
                target["open_total"] += row["n"]
            else:
                target["closed"] += row["n"]
    for unit_id, n in referral_counts.items():
        rows[unit_id]["referrals"] = n
    return {"rows": list(rows.values()), "total": _total(rows.values())}


def _total(rows) -> dict:
    total = _empty_row(None)
    for row in rows:
        for risk, n in row["open"].items():
            total["open"][risk] += n
        for key in ("open_total", "closed", "referrals"):
            total[key] += row[key]
    return total
