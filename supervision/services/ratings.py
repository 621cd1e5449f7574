"""Competency ratings: a supervisor fills in a rubric for a trainee they
supervise.  Every rating is a new row, so the history of a person on a
rubric is kept whole; the level is the mean of the item scores."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.core.models import AuditAction, User
from lms.core.services.audit import audit_record
from lms.core.services.notices import notice_send

from ..models import Rating, RatingScore, Rubric
from ..permissions import can_rate

MIN_SCORE, MAX_SCORE = 1, 5
#: Longest comment on one item and overall (the models' limits).
MAX_ITEM_COMMENT = 1000
MAX_COMMENT = 4000


def _clean_score(item, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            _("Rate “%(item)s” with a whole number from 1 to 5.") % {"item": item.text}
        )
    if not MIN_SCORE <= value <= MAX_SCORE:
        raise ValidationError(_("Rate “%(item)s” from 1 to 5.") % {"item": item.text})
    return value


def _clean_text(value, *, limit: int, sentence: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(sentence % {"n": limit})
    return value.strip()


def _clean_scores(rubric: Rubric, scores: dict) -> list[tuple]:
    """(item, score, comment) for every item of ``rubric``, in its order;
    refuses a missing item and one of another rubric."""
    items = list(rubric.items.all())
    known = {item.pk for item in items}
    if not isinstance(scores, dict) or set(scores) - known:
        raise ValidationError(_("Rate only the items of this rubric."))
    if not items:
        raise ValidationError(_("This rubric has no items to rate yet."))
    missing = [item.text for item in items if item.pk not in scores]
    if missing:
        raise ValidationError(
            _("Rate every item of the rubric; missing: %(items)s.")
            % {"items": "、".join(missing)}
        )
    rows = []
    for item in items:
        value = scores[item.pk]
        if not isinstance(value, tuple | list) or len(value) != 2:
            raise ValidationError(_("Rate only the items of this rubric."))
        score, comment = value
        comment = _clean_text(
            comment,
            limit=MAX_ITEM_COMMENT,
            sentence=_("A comment on an item may be at most %(n)d characters long."),
        )
        rows.append((item, _clean_score(item, score), comment))
    return rows


def _level(scores: list[int]) -> Decimal:
    mean = Decimal(sum(scores)) / Decimal(len(scores))
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def rating_record(
    *,
    actor: User,
    person: User,
    rubric: Rubric,
    scores: dict[int, tuple[int, str]],
    comment: str = "",
    request: HttpRequest | None = None,
) -> Rating:
    """Record ``actor``'s rating of ``person`` on ``rubric``: every item
    scored 1–5 with an optional comment (``scores``: item id → (score,
    comment)), and an overall comment.

    Only a supervisor responsible for the person (``can_rate``) may rate;
    the rubric must be in use.  Writes the rating and its scores in one
    transaction (nothing on refusal), never replaces an earlier rating,
    writes an audit row and tells the person.
    """
    if not can_rate(actor, person):
        raise PermissionDenied(_("Only a supervisor of this person may rate them."))
    rubric = Rubric.objects.filter(pk=rubric.pk, is_active=True).first()
    if rubric is None:
        raise ValidationError(_("This rubric is no longer in use."))
    rows = _clean_scores(rubric, scores)
    comment = _clean_text(
        comment,
        limit=MAX_COMMENT,
        sentence=_("The overall comment may be at most %(n)d characters long."),
    )
    rating = Rating.objects.create(
        person=person,
        rater=actor,
        rubric=rubric,
        level=_level([score for _item, score, _comment in rows]),
        comment=comment,
    )
    RatingScore.objects.bulk_create(
        RatingScore(rating=rating, item=item, score=score, comment=text)
        for item, score, text in rows
    )
    audit_record(
        actor=actor,
        action=AuditAction.RATING,
        obj=rating,
        request=request,
        detail=f"competency rating {rubric.pk}: {rating.level}",
    )
    notice_send(
        person=person,
        text=_("%(rater)s rated you on “%(rubric)s”: %(level)s of 5.")
        % {
            "rater": actor.get_full_name() or actor.get_username(),
            "rubric": rubric.name,
            "level": rating.level,
        },
        url=reverse("supervision:my_ratings"),
    )
    return rating
