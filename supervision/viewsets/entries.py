"""Wagtail admin viewsets for entries."""

VIEWSETS: list = []
