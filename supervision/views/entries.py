"""Pages for entries (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
