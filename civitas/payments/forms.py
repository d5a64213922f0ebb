from django import forms
from django.utils.translation import gettext_lazy as _


class ComputeForm(forms.Form):
    program = forms.TypedChoiceField(
        label=_("Programme"), coerce=int, error_messages={"required": _("Select a programme")}
    )
    period = forms.RegexField(
        label=_("Month"),
        help_text=_("Written YYYY-MM, for example 2026-03."),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={
            "required": _("Enter the month"),
            "invalid": _("Enter the month as YYYY-MM, for example 2026-03"),
        },
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("Choose"))] + [(p.pk, p.name) for p in programs]


class ResultsForm(forms.Form):
    results = forms.FileField(
        label=_("Results file from the bank or provider"),
        help_text=_(
            "CSV with the columns end_to_end_id, status (paid or failed), reason_code, reason."
        ),
        error_messages={"required": _("Choose the results file")},
    )
