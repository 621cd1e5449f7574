"""Pages, one module per area; each carries its own ``urlpatterns``."""
