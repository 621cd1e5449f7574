"""Stand-ins for the two certification modules other branches write, for
the tests of tracks and enrolments while those modules are missing:
``supervision.selectors.certification`` (evaluation, counting only
verified qualifications and approved practice entries) and
``supervision.services.certificates`` (``certificate_issue`` noting the
call).  ``install()`` puts a stand-in in ``sys.modules`` only where the
real module cannot be imported; with the real ones merged it does
nothing, and the tests run against them."""

import importlib
import sys
import types
from dataclasses import dataclass
from decimal import Decimal

#: Enrolments the stand-in ``certificate_issue`` was called for.
ISSUED: list = []


@dataclass(frozen=True)
class RequirementResult:
    requirement: object
    have: Decimal
    need: Decimal
    met: bool
    records: tuple = ()
    missing: str = ""

    @property
    def percent(self) -> int:
        if not self.need:
            return 100
        return int(min(Decimal(100), 100 * self.have / self.need))


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str


def _have(person, requirement, today) -> Decimal:
    from django.db.models import Q

    from supervision.models import PracticeEntry, Qualification, Requirement

    if requirement.kind == Requirement.Kind.QUALIFICATION:
        held = Qualification.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            person=person,
            kind=requirement.qualification_kind_id,
            status=Qualification.Status.VERIFIED,
        )
        return Decimal(1 if held.exists() else 0)
    if requirement.kind == Requirement.Kind.PRACTICE:
        entries = PracticeEntry.objects.filter(
            person=person, status=PracticeEntry.Status.APPROVED
        )
        if requirement.practice_kinds:
            entries = entries.filter(kind__in=requirement.practice_kinds)
        return Decimal(entries.count())
    return Decimal(0)


def evaluate(person, version, *, today=None, renewal=False):
    from django.utils import timezone

    today = today or timezone.localdate()
    results = []
    for requirement in version.requirements.all():
        have = _have(person, requirement, today)
        met = have >= requirement.need
        missing = "" if met else f"还差 {requirement.need - have}：{requirement.title}"
        results.append(
            RequirementResult(requirement, have, requirement.need, met, (), missing)
        )
    return results


def evaluate_many(people, version, *, today=None):
    return {person.pk: evaluate(person, version, today=today) for person in people}


def next_step(person, result):
    from django.urls import NoReverseMatch, reverse

    from supervision.models import Requirement

    if result.met:
        return None
    if result.requirement.kind == Requirement.Kind.PRACTICE:
        return NextStep("记录一次实践", reverse("supervision:entry_create"))
    try:
        return NextStep("上传资格证书", reverse("supervision:qualification_list"))
    except NoReverseMatch:
        return NextStep("上传资格证书", reverse("supervision:home"))


def certificate_issue(*, actor, enrolment):
    ISSUED.append(enrolment.pk)


def _missing(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return True
    return False


def install() -> None:
    if _missing("supervision.selectors.certification"):
        module = types.ModuleType("supervision.selectors.certification")
        module.RequirementResult = RequirementResult
        module.NextStep = NextStep
        module.evaluate = evaluate
        module.evaluate_many = evaluate_many
        module.next_step = next_step
        sys.modules[module.__name__] = module
    if _missing("supervision.services.certificates"):
        module = types.ModuleType("supervision.services.certificates")
        module.certificate_issue = certificate_issue
        sys.modules[module.__name__] = module
