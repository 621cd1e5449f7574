"""Wagtail admin viewsets, one module per area."""
