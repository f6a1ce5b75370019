from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    """诉求类型: what the reporter asks for, independent of the category."""

    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    TIP_OFF = "tip_off", _("Report of a violation")
    SUGGESTION = "suggestion", _("Suggestion")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    """Where a report came in."""

    WEB = "web", _("Resident web page")
    GRID_WORKER = "grid_worker", _("Grid worker patrol")
    HOTLINE = "hotline", _("Hotline")
    OPEN311 = "open311", _("Open311 client")
    IMPORT = "import", _("Import")
    WISH = "wish", _("Wish card")
    STAFF = "staff", _("Staff")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class CaseStatus(models.TextChoices):
    """The states of the closed loop (闭环); ``workflow.TRANSITIONS`` says how a case moves between them."""

    REPORTED = "reported", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    RESOLVED = "resolved", _("Resolved")
    VERIFIED = "verified", _("Verified")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")


class OwnerLevel(models.TextChoices):
    """Who holds a case that is not with a department: the grid worker, the town center or the district center."""

    GRID = "grid", _("Grid")
    TOWN = "town", _("Town command center")
    DISTRICT = "district", _("District command center")


class AlertLevel(models.TextChoices):
    """Deadline colour: yellow at 75 % of the time, red when overdue."""

    NORMAL = "normal", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


#: How each timeline verb reads on the pages.
EVENT_LABELS = {
    "report": _("Reported"),
    "accept": _("Accepted"),
    "categorise": _("Category changed"),
    "reject": _("Rejected"),
    "merge": _("Merged into another case"),
    "duplicate_merged": _("A duplicate report was merged in"),
    "escalate": _("Escalated"),
    "resolve_in_grid": _("Resolved in the grid"),
    "dispatch": _("Dispatched"),
    "reassign": _("Reassigned"),
    "sign": _("Signed for"),
    "sign_helper": _("Signed for by a helper department"),
    "coordinate": _("Coordination order"),
    "finish_helper": _("A helper department finished its part"),
    "return": _("Returned"),
    "resolve": _("Resolved"),
    "verify_ok": _("Verified"),
    "verify_redo": _("Sent back for rework"),
    "redo_in_grid": _("Sent back to the grid"),
    "rate_satisfied": _("Rated and closed"),
    "rate_dissatisfied": _("Rated dissatisfied and reopened"),
    "close": _("Closed"),
    "close_historical": _("Closed as imported history"),
    "supervise": _("Supervision order"),
    "urge": _("Reminder"),
    "comment": _("Comment"),
    "view_personal_data": _("Personal data viewed"),
    "view_photo_original": _("Original photo viewed"),
    "photos": _("Photos added"),
    "request_extension": _("Extension requested"),
    "request_suspension": _("Suspension requested"),
    "decide_extension": _("Extension decided"),
    "decide_suspension": _("Suspension decided"),
    "suspend": _("Suspended"),
    "resume": _("Resumed"),
    "alert": _("Deadline alert"),
    "deadline_recomputed": _("Deadline recomputed"),
}
