from django import forms
from django.utils.translation import gettext_lazy as _


class TrailSearchForm(forms.Form):
    actor = forms.CharField(
        label=_("Who"), required=False, max_length=200, help_text=_("Email or label, exactly.")
    )
    action = forms.CharField(
        label=_("What"),
        required=False,
        max_length=120,
        help_text=_("The start of the action, for example payments: or casework:decision:"),
    )
    subject_type = forms.CharField(
        label=_("Subject type"),
        required=False,
        max_length=80,
        help_text=_("For example applications.application"),
    )
    subject_id = forms.CharField(label=_("Subject id"), required=False, max_length=80)
    since = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("For example 2026-03-01"),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, for example 2026-03-01")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("For example 2026-03-31"),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD, for example 2026-03-31")},
    )
