"""Request middleware: the language rule and the second-factor rule."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import MFA_ROLES

# Paths a user without MFA may still reach: setting it up, leaving, language.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/health/")


class RequireMfaMiddleware:
    """When ``LMS_REQUIRE_MFA`` is on, a user holding a role in ``MFA_ROLES``
    who has no TOTP authenticator is sent to set one up before anything
    else.  The check is one indexed query per request for those users."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication. Set up an authenticator app to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = getattr(request, "user", None)
        if not settings.LMS_REQUIRE_MFA or user is None or not user.is_authenticated:
            return False
        if request.path.startswith(ALLOWED_PREFIXES):
            return False
        if not (user.roles & MFA_ROLES or user.is_superuser):
            return False
        return not Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the person chose English with the switcher.

    Django's own middleware follows the browser's Accept-Language, which
    would show English to anyone with an English-language phone; here the
    language cookie set by the switcher is the only thing that changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
