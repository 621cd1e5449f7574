"""The e-mail that tells people of a change to who may reach what: a
person's roles, home unit or e-mail address.

The person concerned and the leaders over their unit receive the audit
rows themselves (actor, time, person, exact before and after), so what
they read is what the audit log holds.  Supervision's in-app notices
cannot be used here (``lms.core`` sits below ``supervision``); this mail
goes to the same addresses.
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import AuditEvent, User

#: At most this many changes are listed in one mail (a roster import).
MAX_LISTED = 200


def access_change_mail(
    *, event_ids: list[int], person_ids: list[int], addresses: Sequence[str] = ()
) -> int:
    """Mail the audit rows ``event_ids`` to the active people ``person_ids``
    (those with an address) and to ``addresses``; one mail per address, so
    no recipient sees another's.  Returns the number of mails sent.

    A retried task may send a mail twice; it never sends one to anyone not
    named here.
    """
    events = list(AuditEvent.objects.filter(pk__in=event_ids).order_by("at", "pk"))
    if not events:
        return 0
    recipients = set(addresses)
    recipients.update(
        User.objects.filter(pk__in=person_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "events": events[:MAX_LISTED],
            "more": max(0, len(events) - MAX_LISTED),
        }
        subject = render_to_string("core/email/access_change_subject.txt", context)
        body = render_to_string("core/email/access_change_body.txt", context)
    for address in sorted(recipients):
        send_mail(subject.strip(), body, None, [address])
    return len(recipients)
