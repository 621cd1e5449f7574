"""Admin forms for units and people; saving goes through the services."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import selectors
from .models import OrgUnit, Role, User


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
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        strip=False,
        help_text=_(
            "Leave empty to email the person an invitation to set their own password."
        ),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "email",
            "home_unit",
            "staff_number",
            "phone",
            "category",
            "is_active",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["home_unit"].queryset = selectors.units_manageable_by(
            user=for_user
        ).order_by("path")
        self.fields["home_unit"].required = not (for_user and for_user.is_superuser)
        self.fields["full_name"].required = True
        self.fields["email"].required = False
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)
            del self.fields["password"]

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

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        elif not self.instance.pk and not cleaned.get("email"):
            self.add_error(
                "email",
                _("Give an email for the invitation, or set an initial password."),
            )
        return cleaned
