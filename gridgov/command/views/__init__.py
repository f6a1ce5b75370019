"""Command-center pages, one module per concept; each module exports its own ``urlpatterns``."""
