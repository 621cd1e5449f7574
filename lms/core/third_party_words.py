"""Strings of django-allauth worded again in our catalogue.

allauth's Chinese catalogue mixes the Latin word "Email" into Chinese
sentences ("Email地址", "用户名或email").  Django reads ``LOCALE_PATHS`` before
any app's catalogue, so a msgid translated in ``lms/locale`` wins; listing
the msgids here keeps ``makemessages`` from dropping them as obsolete.
``tests/core/test_first_week_fixes.py`` renders the account pages and fails
on any Latin "email" left in their text.
"""

from django.utils.translation import gettext_noop

ALLAUTH_WORDS = [
    gettext_noop("Username or email"),
    gettext_noop(
        "You cannot activate two-factor authentication until you have verified your email address."
    ),
    gettext_noop(
        "An account already exists with this email address. Please sign in to that account first, then connect your %s account."
    ),
    gettext_noop("Your account has no verified email address."),
    gettext_noop("Email Addresses"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Primary"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Add Email Address"),
    gettext_noop("Add Email"),
    gettext_noop("Do you really want to remove the selected email address?"),
    gettext_noop("Email Changed"),
    gettext_noop("Your email has been confirmed."),
    gettext_noop("Email Confirmation"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop("Email Removed"),
    gettext_noop("Email Address"),
    gettext_noop("Current email"),
    gettext_noop("Change Email"),
    gettext_noop("Confirm Email Address"),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Primary email address set."),
    gettext_noop("Verify Your Email Address"),
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("email address"),
]
