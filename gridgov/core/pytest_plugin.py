"""Loaded by pytest (``-p gridgov.core.pytest_plugin``) before Django is set up.

Settings refuse to start without a SECRET_KEY when DEBUG is off; the tests run with DEBUG off, as production
does, and get a throw-away key here. Real environment variables win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "false")
