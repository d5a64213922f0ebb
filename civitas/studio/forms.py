from django import forms
from django.utils.translation import gettext_lazy as _

from civitas.studio.services import TEXT_FIELDS


class NewProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name of the programme"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name for web addresses"),
        max_length=60,
        help_text=_("For example flood-relief"),
    )
    start = forms.DateField(label=_("First day of payment"), help_text=_("YYYY-MM-DD"))
    end = forms.DateField(label=_("Last day of payment"), help_text=_("YYYY-MM-DD"))
    reference = forms.CharField(
        label=_("Legal reference"),
        max_length=200,
        help_text=_("For example Flood Decree 2026, art. 2"),
    )


class NewVersionForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Start from"),
        widget=forms.RadioSelect,  # the design system draws radios (it has no select field)
        choices=[
            ("copy", _("A copy of the version in force")),
            ("top_up", _("Top-up of the benefit for a period")),
            ("one_off", _("One-off payment to existing beneficiaries")),
        ],
    )
    start = forms.DateField(
        label=_("Takes effect on (or month of the payment)"), help_text=_("YYYY-MM-DD")
    )
    end = forms.DateField(label=_("Top-up ends on"), required=False, help_text=_("YYYY-MM-DD"))
    reference = forms.CharField(label=_("Legal reference"), max_length=200, required=False)


class FormJsonForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    form_text = forms.CharField(label=_("Application form (JSON)"), widget=forms.Textarea)


class DetailsForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    effective_from = forms.DateField(label=_("Takes effect on"), help_text=_("YYYY-MM-DD"))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language of the texts"), choices=[])
    name = forms.CharField(label=_("Name"), max_length=120)
    summary = forms.CharField(label=_("Summary (one sentence)"), max_length=300)
    who_can_apply = forms.CharField(label=_("Who can apply"), widget=forms.Textarea)
    what_you_need = forms.CharField(label=_("What you need"), widget=forms.Textarea)
    how_long = forms.CharField(label=_("How long it takes"), max_length=200)
    what_happens_next = forms.CharField(label=_("What happens next"), widget=forms.Textarea)

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages

    def texts(self) -> dict:
        return {k: self.cleaned_data[k] for k in TEXT_FIELDS}


class CaseForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("What the case shows"), max_length=200)
    period = forms.CharField(label=_("Month"), max_length=7, help_text=_("YYYY-MM"))
    situation = forms.CharField(
        label=_("Situation (YAML)"),
        widget=forms.Textarea,
        help_text=_("household: {adults: [ana], region: north} and persons: {ana: {income: 300}}"),
    )
    expected = forms.CharField(
        label=_("Expected values (YAML)"), widget=forms.Textarea, help_text=_("amount: 140")
    )
    tolerance = forms.FloatField(label=_("Tolerance"), initial=0, min_value=0)


class SimulateForm(forms.Form):
    period = forms.CharField(label=_("Month to simulate"), max_length=7, help_text=_("YYYY-MM"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))],
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea, required=False)


class ConsultForm(forms.Form):
    title = forms.CharField(label=_("Title people will see"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences for the list of consultations."),
    )
    closes_on = forms.DateField(label=_("Closes on"), help_text=_("YYYY-MM-DD"))
