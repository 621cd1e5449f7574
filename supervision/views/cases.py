"""Pages for cases (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
