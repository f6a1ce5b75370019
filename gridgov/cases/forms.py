"""Forms of the staff case pages: one small form per verb, each carrying the case ``version`` it was shown with.

The forms only parse and explain input (required fields, choices, formats); the business rules stay in the
actions, whose ``ValidationError`` the views attach to the same fields. ``version`` goes to the actions as
``expected_version``, so two people acting on one case at once get a conflict instead of a lost update.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.cases.choices import Priority, RequestType, Satisfaction
from gridgov.cases.models import TimeRequest
from gridgov.cases.selectors import active_categories
from gridgov.dispatch.models import Department

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one file input (the actions check their content and count)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CaseActionForm(forms.Form):
    """Base of every action form: the version of the case the user saw."""

    #: the form posts files (the template sets ``enctype``)
    multipart = False

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _reason(label: Any = None, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label or _("Reason"), widget=TEXTAREA, required=required, max_length=2000)


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(label=label or _("Note"), widget=TEXTAREA, required=False, max_length=2000)


class AcceptForm(CaseActionForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=active_categories(), empty_label=_("Choose a category")
    )
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    note = _note()


class ReasonForm(CaseActionForm):
    """Reject, escalate, return: the reason is required and recorded on the timeline."""

    reason = _reason()


class NoteForm(CaseActionForm):
    """Close, resume, urge: an optional note."""

    note = _note()


class SignForm(CaseActionForm):
    """签收 needs nothing but the version."""


class MergeForm(CaseActionForm):
    master = forms.CharField(
        label=_("Master case number"),
        max_length=32,
        help_text=_("The number of the open case this one duplicates, e.g. SG-20260514-0007."),
    )
    note = _note()

    def clean_master(self) -> str:
        return str(self.cleaned_data["master"]).strip().upper()


class ResultForm(CaseActionForm):
    """Resolve and resolve in the grid: what was done, with photos of the result."""

    multipart = True

    result = forms.CharField(label=_("What was done"), widget=TEXTAREA, max_length=4000)
    photos = MultipleFileField(
        label=_("Photos of the result"),
        required=False,
        help_text=_("Up to 9 photos (JPEG, PNG or WebP)."),
    )


class DepartmentsForm(CaseActionForm):
    """Dispatch and reassign: a lead department and optional helpers among those serving the place."""

    lead = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none(), empty_label=_("Choose a department")
    )
    helpers = forms.ModelMultipleChoiceField(
        label=_("Helper departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, departments: QuerySet[Department] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = departments if departments is not None else Department.objects.none()
        self.fields["lead"].queryset = offered  # type: ignore[attr-defined]
        self.fields["helpers"].queryset = offered  # type: ignore[attr-defined]


class DispatchForm(DepartmentsForm):
    note = _note()


class ReassignForm(DepartmentsForm):
    reason = _reason()


class VerifyForm(CaseActionForm):
    OK, REDO = "ok", "redo"

    outcome = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[(OK, _("The problem is solved")), (REDO, _("Not solved: send it back for rework"))],
        widget=forms.RadioSelect,
    )
    note = _note(_("Findings"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == self.REDO and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what is still wrong."))
        return data


class RateForm(CaseActionForm):
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = _note(_("What the reporter said"))


class SuperviseForm(CaseActionForm):
    instruction = forms.CharField(label=_("Instruction"), widget=TEXTAREA, max_length=2000)
    deadline = forms.DateTimeField(
        label=_("New deadline"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CommentForm(CaseActionForm):
    text = forms.CharField(label=_("Comment"), widget=TEXTAREA, max_length=4000)
    public = forms.BooleanField(label=_("Show to the reporter"), required=False)


class TimeRequestForm(CaseActionForm):
    kind = forms.ChoiceField(
        label=_("Request"),
        choices=[
            (TimeRequest.KIND_EXTENSION, _("More time (extension)")),
            (TimeRequest.KIND_SUSPENSION, _("Stop the clock (suspension)")),
        ],
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label=_("Working days"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("For an extension: 1 to 60 working days."),
    )
    reason = _reason()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == TimeRequest.KIND_EXTENSION
            and not data.get("days")
            and "days" not in self.errors
        ):
            self.add_error("days", _("Ask for 1 to 60 working days."))
        return data


class DecideTimeForm(CaseActionForm):
    APPROVE, DENY = "approve", "deny"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (DENY, _("Deny"))],
        widget=forms.RadioSelect,
    )
    note = _note()
