"""Request middleware: the language rule, the one login path, the
second-factor rule, admin access and the content security policy."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import MFA_ROLES

# Paths a user without MFA may still reach: setting it up, leaving, language,
# and the public pages open to anyone without login (the certificate check,
# the answer to a crisis call-out, whose link is the key).
ALLOWED_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/health/",
    "/verify/",
    "/crisis/answer/",
)


class OneLoginPathMiddleware:
    """A session that did not come through allauth's login is not trusted for
    a person who enrolled a second factor.

    allauth records how a session was authenticated (password, then the
    second factor) in the session.  Every other way of creating a session
    (a login view of another package, a shell that forges a session) lacks
    those records; for a person with an authenticator such a session is
    ended and the person sent to the one login page, so no path can skip
    the second factor.  Sessions carrying allauth's records cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not get_authentication_records(request, user)
            and Authenticator.objects.filter(user=user).exists()
        ):
            logout(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, relaxed under ``LMS_CSP_ADMIN_PREFIX`` only.

    Wagtail's admin writes inline ``<script>`` elements (date pickers, inline
    panels) and inline styles; the rest of the site runs none, so it keeps
    the strict policy from ``CONTENT_SECURITY_POLICY``.
    """

    ADMIN_RELAXED = {
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    }

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(
            settings.LMS_CSP_ADMIN_PREFIX
        ):
            parts.replace = {**(parts.replace or {}), **self.ADMIN_RELAXED}
        return parts


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


class AdminAccessMiddleware:
    """A signed-in person without admin access gets the 403 page at /admin/.

    Wagtail sends such a person to the login page, and allauth sends a
    signed-in person on to the ``next`` address, which is /admin/ again:
    "too many redirects".  Wagtail's own login, logout and reset addresses
    (lms/urls.py hands them to allauth) stay reachable.
    """

    PREFIX = "/admin/"
    PASS_THROUGH = ("login/", "logout/", "password_reset/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            path.startswith(self.PREFIX)
            and not path[len(self.PREFIX) :].startswith(self.PASS_THROUGH)
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "403.html", status=403)
        return self.get_response(request)
