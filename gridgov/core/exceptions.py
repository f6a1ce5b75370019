"""Domain errors shared by every app. Adapters (pages, API, commands) turn them into user-facing messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class GridGovError(Exception):
    """Base of the domain errors; ``message`` is translatable and shown to the user."""

    default_message = _("The request could not be completed.")
    code = "error"

    def __init__(self, message: object = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class Conflict(GridGovError):
    """Someone else changed the record first, or the action does not fit its current state (HTTP 409)."""

    default_message = _("The record was changed by someone else or is in a state that does not allow this.")
    code = "conflict"


class InvalidTransition(Conflict):
    """A workflow verb that the current status does not allow (HTTP 409)."""

    default_message = _("This action is not possible in the current status.")
    code = "invalid_transition"
