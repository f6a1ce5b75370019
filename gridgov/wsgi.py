"""WSGI entry point (waitress in the demo; gunicorn or uWSGI behind a web server in production)."""

import os

from django.core.wsgi import get_wsgi_application

from gridgov.core.runtime import freeze_startup_heap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()
freeze_startup_heap()
