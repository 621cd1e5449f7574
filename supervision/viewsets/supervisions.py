"""Wagtail admin viewsets for supervisions."""

VIEWSETS: list = []
