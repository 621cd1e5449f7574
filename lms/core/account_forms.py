"""allauth's forms as our people see them (``ACCOUNT_FORMS`` in settings)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's login form with the field named for what it takes.

    allauth labels the field "Login", which reads "登录:" beside a button
    that also says 登录; Chinese labels take no ASCII colon.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        words = _("User name or e-mail")
        field = self.fields["login"]
        field.label = words
        field.widget.attrs["placeholder"] = words
        field.widget.attrs["autocomplete"] = "username"
