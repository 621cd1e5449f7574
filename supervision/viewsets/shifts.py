"""Wagtail admin viewsets for shifts."""

VIEWSETS: list = []
