"""Loaded by pytest (``-p gridgov.core.pytest_plugin``) before Django is set up.

Settings refuse to start without a SECRET_KEY when DEBUG is off; the tests run with DEBUG off, as production
does, and get a throw-away key here. Real environment variables win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "false")

# The bootstrap triage model is trained from the corpus once and kept under the corpus digest; tests share it
# across runs instead of training it again in every session (tests that train versions use their own directory).
os.environ.setdefault(
    "TRIAGE_MODEL_DIR",
    os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "var", "test-triage"
    ),
)
