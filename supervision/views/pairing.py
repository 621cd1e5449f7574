"""Pages for pairing (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
