"""Pages for supervisions (owned by one area; see supervision/urls.py)."""

urlpatterns: list = []
