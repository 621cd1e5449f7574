"""The invitation email for people created without a password."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import User


def invitation_url(person: User) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(person),
            "key": default_token_generator.make_token(person),
        },
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def person_send_invitation(*, person_id: int) -> bool:
    """Send the set-your-password email; a person who already has a usable
    password (or no email) is skipped, so a retried task sends nothing twice
    once the person has acted on it."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email or person.has_usable_password():
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"person": person, "url": invitation_url(person)}
        subject = render_to_string("core/email/invitation_subject.txt", context)
        body = render_to_string("core/email/invitation_body.txt", context)
    send_mail(subject.strip(), body, None, [person.email])
    return True
