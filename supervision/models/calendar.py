"""A person's calendar feed: the secret that makes their feed's URL.

The feed is read without logging in (a phone's calendar cannot log in),
so the URL itself is the key; resetting it replaces the secret and the
old URL answers 404 from then on.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_feed_secret() -> str:
    """32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    secret = models.CharField(
        _("secret"), max_length=64, unique=True, default=new_feed_secret
    )
    reset_at = models.DateTimeField(_("reset at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.person)
