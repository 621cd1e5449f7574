"""Pages for reviews (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
