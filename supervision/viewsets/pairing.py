"""Wagtail admin viewsets for pairing."""

VIEWSETS: list = []
