"""Forms of the alert pages: the list filter and one small form per verb.

The forms parse and explain input; the rules (a note or conclusion is required, a closed alert does not change)
stay in the actions, whose ``ValidationError`` the views attach to the same fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridgov.alerts.choices import AlertStatus

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *AlertStatus.choices]
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=[("", _("All"))])

    def __init__(self, *args: object, rules: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rule"].choices = [("", _("All")), *rules]  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=TEXTAREA, required=False, max_length=2000)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("What was done or found"), widget=TEXTAREA, max_length=4000)


class CloseForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), widget=TEXTAREA, max_length=4000)


class LinkCaseForm(forms.Form):
    case = forms.CharField(label=_("Case number"), max_length=32)
    note = forms.CharField(label=_("Note"), widget=TEXTAREA, required=False, max_length=2000)
