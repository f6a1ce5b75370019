"""WSGI entry point (waitress in the demo; gunicorn or uWSGI behind a web server in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()
