"""Forms of the data-protection officer's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FindSubjectForm(forms.Form):
    """A person by national ID, or an account by email address: one of the two."""

    national_id = forms.CharField(
        label=_("National ID number"),
        required=False,
        max_length=30,
        help_text=_("Of a person in the social registry."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"}
        ),
        error_messages={"max_length": _("A national ID number has at most 30 characters")},
    )
    email = forms.CharField(
        label=_("Or an email address"),
        required=False,
        max_length=254,
        help_text=_(
            "Of an account, for example a person who signed up but is not in the registry."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-30"}
        ),
        error_messages={"max_length": _("An email address has at most 254 characters")},
    )

    def clean(self):
        data = super().clean()
        national_id = (data.get("national_id") or "").strip()
        email = (data.get("email") or "").strip()
        if self.errors:
            return data
        if not national_id and not email:
            self.add_error("national_id", _("Enter a national ID number or an email address"))
        elif national_id and email:
            self.add_error(
                "national_id", _("Enter a national ID number or an email address, not both")
            )
        data["national_id"], data["email"] = national_id, email
        return data


class RequestReferenceForm(forms.Form):
    """The reference of the data-subject request an action answers (it goes in the audit trail)."""

    reason = forms.CharField(
        label=_("Reference of the request"),
        help_text=_(
            "For example DSR-2026-117. It is written in the audit trail: "
            "do not write names or other personal data here."
        ),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "govuk-input--width-20"}),
        error_messages={
            "required": _("Enter the reference of the request"),
            "max_length": _("Enter 200 characters or fewer"),
        },
    )
