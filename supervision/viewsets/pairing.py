"""Wagtail admin viewsets for pairing: none.  Coordinators pair people on
their own page, /practice/pairs/ (``supervision.views.pairing``), which
shows the no-contact flag and works on a phone."""

VIEWSETS: list = []
