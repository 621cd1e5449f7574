"""Pages for shifts (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
