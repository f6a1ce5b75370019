from django.utils.translation import gettext_lazy as _

from gridgov.core.exceptions import GridGovError


class InvalidGrant(GridGovError):
    default_message = _("This role cannot be granted with this scope.")
    code = "invalid_grant"
