"""Forms of the pairing pages (``supervision.views.pairing``).  The
services check the rules; the choices here only offer the people a
coordinator may pair."""

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.core.models import PersonCategory, Role, User
from lms.core.selectors import people_manageable_by

from ..models import Pairing, PairingContact
from ..permissions import MENTOR_CATEGORIES
from .cases import DateInput


def _date(label):
    return forms.DateField(label=label, widget=DateInput, initial=timezone.localdate)


def mentor_choices(user: User):
    """Volunteers, professionals and supervisors of ``user``'s units, but
    never ``user`` (``can_name_as_supervisor``): the people of the units
    for whom ``supervision.permissions.can_mentor`` holds."""
    return (
        people_manageable_by(user=user)
        .filter(is_active=True)
        .exclude(pk=user.pk)
        .filter(Q(category__in=MENTOR_CATEGORIES) | Q(groups__name=Role.SUPERVISOR))
        .distinct()
        .order_by("home_unit__path", "full_name", "username")
    )


def mentee_choices(user: User):
    """Grid workers of ``user``'s units who have no mentor now."""
    paired = Pairing.objects.filter(mentee=OuterRef("pk"), ends_on__isnull=True)
    return (
        people_manageable_by(user=user)
        .filter(is_active=True, category=PersonCategory.GRID_WORKER)
        .exclude(Exists(paired))
        .order_by("home_unit__path", "full_name", "username")
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = obj.home_unit.name if obj.home_unit_id else ""
        return f"{obj} · {unit}" if unit else str(obj)


class PairingForm(forms.Form):
    mentor = PersonChoice(
        label=_("Mentor"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose a mentor."),
            "invalid_choice": _(
                "Choose a volunteer, professional or supervisor of your units."
            ),
        },
    )
    mentee = PersonChoice(
        label=_("Grid worker"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose a grid worker."),
            "invalid_choice": _(
                "Choose a grid worker of your units who has no mentor yet."
            ),
        },
    )
    starts_on = _date(_("From"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentor_choices(user)
        self.fields["mentee"].queryset = mentee_choices(user)


class EndForm(forms.Form):
    ends_on = _date(_("Until"))


class ContactForm(forms.Form):
    """A contact between a mentor and their grid worker."""

    occurred_on = _date(_("Date"))
    channel = forms.ChoiceField(
        label=_("How"),
        choices=PairingContact.Channel.choices,
        error_messages={"invalid_choice": _("Choose how you were in contact.")},
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
