"""WSGI entry point (waitress in the demo; gunicorn or uWSGI behind a web server in production)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from gridgov.core.runtime import freeze_startup_heap, warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
application = get_wsgi_application()
if settings.GRIDGOV["WARM_UP"]:
    warm_up()
freeze_startup_heap()
