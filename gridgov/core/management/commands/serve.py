"""``gridgov serve``: run GridGov with waitress, a production-grade pure-Python WSGI server.

For the demo and small offices this is enough; larger installations run several of these (or gunicorn) behind
nginx. Static files are served by WhiteNoise from STATIC_ROOT (run ``gridgov collectstatic`` first).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve GridGov over HTTP with waitress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from gridgov.wsgi import application

        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write(_("GridGov is running at %(url)s (Ctrl+C stops it)") % {"url": url})
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])
