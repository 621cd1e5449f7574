"""Certification rows for tests: tracks with a published version and its
requirements, enrolments, rubrics and ratings, qualifications.  Made
directly (not through the services) so a test can set up any state."""

import datetime
import itertools
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision.models import (
    Enrolment,
    Qualification,
    QualificationKind,
    Rating,
    RatingScore,
    Requirement,
    Rubric,
    RubricItem,
    Track,
    TrackVersion,
)
from tests.factories.supervision import PDF_BYTES

_numbers = itertools.count(1)

#: Parameters that are many-to-many relations (set after the row exists).
_RELATIONS = ("pages", "techniques")


def make_requirement(version, kind, need=1, **params) -> Requirement:
    """A requirement of ``kind`` on ``version``; ``params`` are the model's
    fields (``pages=[...]`` and ``techniques=[...]`` as lists)."""
    relations = {name: params.pop(name) for name in _RELATIONS if name in params}
    params.setdefault("title", f"{Requirement.Kind(kind).label} {next(_numbers)}")
    params.setdefault("position", version.requirements.count())
    requirement = Requirement.objects.create(
        version=version, kind=kind, need=Decimal(str(need)), **params
    )
    for name, rows in relations.items():
        getattr(requirement, name).set(rows)
    return requirement


def make_track(
    unit, code=None, *, requirements=(), name=None, published=True, **fields
) -> tuple[Track, TrackVersion]:
    """A track of ``unit`` with version 1 (published unless told) holding
    ``requirements``: each a dict of ``make_requirement`` arguments
    (``kind``, ``need`` and parameters)."""
    code = code or f"track-{next(_numbers)}"
    track = Track.objects.create(code=code, name=name or code, unit=unit, **fields)
    version = TrackVersion.objects.create(
        track=track, number=1, published_at=timezone.now() if published else None
    )
    for spec in requirements:
        make_requirement(version, **dict(spec))
    return track, version


def enrol(person, version, *, status=Enrolment.Status.ENROLLED) -> Enrolment:
    return Enrolment.objects.create(
        person=person, track=version.track, version=version, status=status
    )


def make_rubric(name=None, *, items=3) -> Rubric:
    rubric = Rubric.objects.create(name=name or f"胜任力评价表{next(_numbers)}")
    for position in range(items):
        RubricItem.objects.create(
            rubric=rubric, position=position, text=f"条目{position + 1}"
        )
    return rubric


def make_rating(person, rater, rubric, scores, *, rated_at=None, comment="") -> Rating:
    """A rating whose level is the mean of ``scores`` (a number: every item
    gets it; a list: one per item, in order)."""
    items = list(rubric.items.order_by("position", "pk"))
    if isinstance(scores, int | Decimal):
        scores = [int(scores)] * max(1, len(items))
    level = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
    rating = Rating.objects.create(
        person=person,
        rater=rater,
        rubric=rubric,
        level=level,
        comment=comment,
        rated_at=rated_at or timezone.now(),
    )
    RatingScore.objects.bulk_create(
        RatingScore(rating=rating, item=item, score=score)
        for item, score in zip(items, scores, strict=False)
    )
    return rating


def make_qualification_kind(name="国家心理咨询师三级", code=None) -> QualificationKind:
    return QualificationKind.objects.get_or_create(
        code=code or f"q-{next(_numbers)}", defaults={"name": name}
    )[0]


def make_qualification(
    person,
    kind,
    status=Qualification.Status.VERIFIED,
    expires_on=None,
    *,
    issued_on=None,
) -> Qualification:
    if issued_on is None:
        issued_on = timezone.localdate() - datetime.timedelta(days=30)
        issued_on = min(issued_on, expires_on or issued_on)
    qualification = Qualification(
        person=person,
        kind=kind,
        status=status,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    qualification.document.save("certificate.pdf", ContentFile(PDF_BYTES), save=False)
    qualification.save()
    return qualification
