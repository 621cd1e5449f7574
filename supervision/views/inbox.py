"""Pages for inbox (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
