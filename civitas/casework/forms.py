from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select approve or reject")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Say which rule applies and why. The applicant will read this."),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": _("Enter the reason for the decision")},
    )
