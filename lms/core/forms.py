"""Admin forms for units and people; saving goes through the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import selectors
from .models import OrgUnit, Role, User
from .permissions import can_change_access, can_change_email, roles_held
from .services.people import PERSON_FIELDS


class OrgUnitForm(WagtailAdminModelForm):
    parent = forms.ModelChoiceField(
        label=_("Parent unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("The unit this one belongs to. It cannot be changed later."),
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "code", "level", "address", "is_active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if self.instance.pk:
            del self.fields["parent"]
            return
        self.fields["parent"].queryset = selectors.units_manageable_by(
            user=for_user
        ).order_by("path")
        self.fields["parent"].required = not (for_user and for_user.is_superuser)

    def clean_code(self):
        return self.cleaned_data["code"].lower()


class PersonForm(WagtailAdminModelForm):
    """A person's record.  There is no password field: people set their own
    from the invitation.  Fields the user may not change here are shown
    disabled (their posted values are ignored); ``services.person_update``
    refuses the same changes from anywhere else."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = list(PERSON_FIELDS)

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["home_unit"].queryset = selectors.units_manageable_by(
            user=for_user
        ).order_by("path")
        self.fields["home_unit"].required = not (for_user and for_user.is_superuser)
        self.fields["full_name"].required = True
        self.fields["email"].required = not self.instance.pk
        self.fields["email"].help_text = _(
            "The invitation to set a password is sent here. You can correct it "
            "until the person has used the account; after that only they change it."
        )
        if self.instance.pk:
            self.fields["roles"].initial = sorted(roles_held(self.instance))
            if for_user is not None:
                self._lock_for(for_user)

    def _lock_for(self, user) -> None:
        if not can_change_access(user, self.instance):
            for name in ("roles", "home_unit", "is_active"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Nobody changes their own roles, home unit or activation; "
                    "another coordinator or a platform administrator can."
                )
        if not can_change_email(user, self.instance):
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "The account has been used, so only its owner changes this "
                "address, under My account."
            )

    def clean_email(self):
        email = self.cleaned_data.get("email", "").strip().lower()
        if (
            email
            and User.objects.filter(email__iexact=email)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("Another person already uses this email."))
        return email
