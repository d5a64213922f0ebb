"""Forms publishers fill in on the web: a dataset's metadata, a file upload, an API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civitas.opendata.vocabularies import FREQUENCIES, LICENCES, THEMES


class DatasetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    name = forms.SlugField(
        label=_("Short name for the web address"),
        help_text=_("Lowercase letters, numbers, - and _. For example, benefit-payments-2026."),
        max_length=100,
    )
    owner_org = forms.ChoiceField(label=_("Publisher"))
    notes = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("What the data contains, how it was collected, and its limits."),
    )
    license_id = forms.ChoiceField(
        label=_("Licence"), choices=[(item.id, item.title) for item in LICENCES], initial="cc-by"
    )
    tags = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Separate keywords with commas. For example, health, births."),
    )
    theme = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=list(THEMES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label=_("How often is it updated?"),
        choices=[("", _("Not set"))] + [(f.code, f.label) for f in FREQUENCIES.values()],
        required=False,
    )
    temporal_start = forms.DateField(
        label=_("Period covered: from"), required=False, help_text=_("For example, 2026-01-01")
    )
    temporal_end = forms.DateField(
        label=_("Period covered: to"), required=False, help_text=_("For example, 2026-12-31")
    )
    spatial = forms.CharField(label=_("Area covered"), required=False, max_length=200)
    documentation_url = forms.URLField(
        label=_("Link to documentation"), required=False, assume_scheme="https"
    )
    private = forms.BooleanField(
        label=_("Private: only members of the publisher can see it"), required=False
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].choices = [(org.name, org.title) for org in organizations]

    def as_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["tags"] = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        for key in ("temporal_start", "temporal_end"):
            data[key] = data[key].isoformat() if data.get(key) else ""
        return data


class UploadForm(forms.Form):
    upload = forms.FileField(
        label=_("Data file"), help_text=_("CSV files are checked and loaded into the datastore.")
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    schema = forms.CharField(
        label=_("Table Schema (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "A Frictionless Table Schema as JSON. Without one, the column types are guessed."
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("Say which program will use it, so you know what to revoke later."),
    )
