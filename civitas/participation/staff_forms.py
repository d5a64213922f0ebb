"""Forms of the staff pages that set up consultations, surveys, budgets and conversations.

The forms check what a person can fix on the page (a missing title, a date the wrong way round);
the services check everything again and have the last word, so a refusal from a service is shown
on the same form, with what was typed kept.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civitas.participation.forms import ConsultationForm
from civitas.participation.models.budgets import BallotFormat, Completion, TallyRule, Utility
from civitas.participation.models.conversations import STATEMENT_MAX
from civitas.participation.models.surveys import QuestionKind
from civitas.registry.models import Region

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y"]
DATE_HINT = _("For example, 2027-03-31 or 31/03/2027.")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _date(label, *, required: bool = False, hint=None) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=format_lazy("{} {}", hint, DATE_HINT) if hint else DATE_HINT,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput,
        error_messages={
            "invalid": _("Enter a real date, for example 2027-03-31"),
            "required": _("Enter the date"),
        },
    )


def _whole(
    label, *, required: bool = True, minimum: int = 0, missing=None, **kwargs
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        error_messages={
            "invalid": _("Enter a whole number, like 3"),
            "required": missing or _("Enter a number"),
            "min_value": _("Enter %(limit_value)s or more"),
            "max_value": _("Enter %(limit_value)s or less"),
        },
        **kwargs,
    )


def _dates_in_order(form: forms.Form, first: str, last: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and end and end < start:
        form.add_error(last, _("The closing day must be on or after the opening day"))


def consultation_choices(consultations) -> list[tuple[str, str]]:
    return [("", _("None: it stands on its own"))] + [(c.slug, c.title) for c in consultations]


# --- consultations -----------------------------------------------------------------------------
class ConsultationDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")}
    )
    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("One or two sentences saying what is proposed and why."),
        max_length=400,
        widget=forms.Textarea,
        error_messages={"required": _("Enter a summary")},
    )
    opens_on = _date(_("Opening day (optional)"))
    closes_on = _date(_("Closing day (optional)"))

    def clean(self):
        data = super().clean()
        _dates_in_order(self, "opens_on", "closes_on")
        return data


class NewConsultationForm(ConsultationForm):
    opens_on = _date(_("Opening day (optional)"))
    closes_on = _date(_("Closing day (optional)"))

    def clean(self):
        data = super().clean()
        _dates_in_order(self, "opens_on", "closes_on")
        return data


# --- surveys -----------------------------------------------------------------------------------
class SurveyDetailsForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")}
    )
    introduction = forms.CharField(
        label=_("Introduction (optional)"),
        help_text=_("What the survey is for and how the answers will be used."),
        required=False,
        widget=forms.Textarea,
    )
    consultation = forms.ChoiceField(
        label=_("Part of a consultation?"), widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, consultations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].choices = consultation_choices(consultations)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of question"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of question")},
    )
    text = forms.CharField(
        label=_("Question"), max_length=300, error_messages={"required": _("Write the question")}
    )
    hint = forms.CharField(label=_("Hint (optional)"), max_length=300, required=False)
    required = forms.ChoiceField(
        label=_("Must people answer it?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if people must answer it")},
    )
    choices = forms.CharField(
        label=_("Choices (for one choice or several choices)"),
        help_text=_("One choice per line, at least two."),
        required=False,
        widget=forms.Textarea,
    )
    scale_min = _whole(_("Lowest number (for a scale)"), required=False, minimum=-100)
    scale_max = _whole(_("Highest number (for a scale)"), required=False, minimum=-100)
    scale_min_label = forms.CharField(
        label=_("Label of the lowest number (optional)"), max_length=60, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Label of the highest number (optional)"), max_length=60, required=False
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        data["choice_list"] = lines
        if kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE} and len(lines) < 2:
            self.add_error("choices", _("Give at least two choices, one per line"))
        if kind == QuestionKind.SCALE:
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is None and "scale_min" not in self.errors:
                self.add_error("scale_min", _("Enter the lowest number of the scale"))
            if high is None and "scale_max" not in self.errors:
                self.add_error("scale_max", _("Enter the highest number of the scale"))
            if low is not None and high is not None and not low < high <= low + 20:
                self.add_error(
                    "scale_max",
                    _("The highest number must be above the lowest, at most 20 steps above"),
                )
        return data

    def spec(self) -> dict:
        data = self.cleaned_data
        spec = {
            "kind": data["kind"],
            "text": data["text"],
            "hint": data["hint"],
            "required": data["required"] == "yes",
            "choices": data["choice_list"],
        }
        if data["kind"] == QuestionKind.SCALE:
            spec.update(
                scale_min=data["scale_min"],
                scale_max=data["scale_max"],
                scale_min_label=data["scale_min_label"],
                scale_max_label=data["scale_max_label"],
            )
        return spec


# --- participatory budgets ---------------------------------------------------------------------
class BudgetForm(forms.Form):
    """A budget's settings: what it is, who votes when, the ballot and the counting rule, and
    the amount of each district (a district is a region of the registry)."""

    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")}
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea
    )
    voting_opens_on = _date(_("Voting opens on (optional)"))
    voting_closes_on = _date(_("Voting closes on (optional)"))
    minimum_age = _whole(
        _("Minimum age to vote"),
        missing=_("Enter the minimum age to vote"),
        max_value=120,
        help_text=_("Residents vote if they are at least this old on the day below."),
    )
    age_on = _date(
        _("Age is counted on (optional)"),
        hint=_("If empty: the closing day of the vote, or the day of voting if that is not set."),
    )
    ballot_format = forms.ChoiceField(
        label=_("Ballot"),
        choices=BallotFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of ballot")},
    )
    min_projects = _whole(
        _("Fewest projects a voter must choose"),
        missing=_("Enter the fewest projects a voter must choose"),
    )
    max_projects = _whole(
        _("Most projects a voter may choose (optional)"), required=False, minimum=1
    )
    points = _whole(
        _("Points each voter shares out (cumulative ballot only)"), required=False, minimum=1
    )
    rule = forms.ChoiceField(
        label=_("Counting rule"),
        choices=TallyRule.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the counting rule")},
    )
    utility = forms.ChoiceField(
        label=_("How a supported project counts for a voter (Equal Shares)"),
        help_text=_(
            "Cost: a project is worth its cost to its supporters. Cardinality: every project is "
            "worth the same."
        ),
        choices=Utility.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how a project counts")},
    )
    completion = forms.ChoiceField(
        label=_("Completion (Equal Shares)"),
        help_text=_("Add1 spends money Equal Shares leaves over, as Wieliczka and Świecie did."),
        choices=Completion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the completion")},
    )
    options = forms.MultipleChoiceField(
        label=_("Options of the rule"),
        choices=[
            ("exhaustive_stop", _("Add1 stops as soon as no other project fits in the money left")),
            (
                "comparison",
                _("Compare with greedy counting and keep the outcome more voters prefer"),
            ),
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, regions=(), currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = list(regions)
        for region in self.regions:
            self.fields[f"amount_{region.code}"] = forms.DecimalField(
                label=_("Amount for %(region)s (optional)") % {"region": region.name},
                help_text=_("In %(currency)s. Leave empty if %(region)s takes no part.")
                % {"currency": currency, "region": region.name},
                required=False,
                min_value=0,
                max_digits=16,
                decimal_places=2,
                error_messages={
                    "invalid": _("Enter an amount, like 250000"),
                    "min_value": _("Enter an amount above zero"),
                    "max_digits": _("Enter a smaller amount"),
                    "max_decimal_places": _("Enter the amount to the cent at most"),
                },
            )

    @property
    def amount_fields(self) -> list[forms.BoundField]:
        return [self[f"amount_{r.code}"] for r in self.regions]

    @property
    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("amount_")]

    def clean(self):
        data = super().clean()
        _dates_in_order(self, "voting_opens_on", "voting_closes_on")
        low, high = data.get("min_projects"), data.get("max_projects")
        if low is not None and high is not None and low > high:
            self.add_error("max_projects", _("The most projects must not be below the fewest"))
        if data.get("ballot_format") == BallotFormat.CUMULATIVE and not data.get("points"):
            self.add_error("points", _("Enter how many points each voter shares out"))
        if self.regions and not any(data.get(f"amount_{r.code}") for r in self.regions):
            self.add_error(
                f"amount_{self.regions[0].code}",
                _("Enter the amount of at least one district"),
            )
        for region in self.regions:
            if data.get(f"amount_{region.code}") == 0:
                self.add_error(
                    f"amount_{region.code}", _("Enter an amount above zero, or leave it empty")
                )
        return data

    def districts(self) -> list[tuple[Region, object]]:
        return [
            (r, self.cleaned_data[f"amount_{r.code}"])
            for r in self.regions
            if self.cleaned_data.get(f"amount_{r.code}")
        ]

    def settings(self) -> dict:
        data = self.cleaned_data
        options = set(data.get("options") or [])
        return {
            "title": data["title"],
            "description": data["description"],
            "voting_opens_on": data["voting_opens_on"],
            "voting_closes_on": data["voting_closes_on"],
            "minimum_age": data["minimum_age"],
            "age_on": data["age_on"],
            "ballot_format": data["ballot_format"],
            "min_projects": data["min_projects"],
            "max_projects": data["max_projects"],
            "points": data["points"] if data["ballot_format"] == BallotFormat.CUMULATIVE else None,
            "rule": data["rule"],
            "utility": data["utility"],
            "completion": data["completion"],
            "exhaustive_stop": "exhaustive_stop" in options,
            "comparison": "comparison" in options,
        }

    @classmethod
    def initial_for(cls, budget) -> dict:
        initial = {
            name: getattr(budget, name)
            for name in (
                "title",
                "description",
                "voting_opens_on",
                "voting_closes_on",
                "minimum_age",
                "age_on",
                "ballot_format",
                "min_projects",
                "max_projects",
                "points",
                "rule",
                "utility",
                "completion",
            )
        }
        initial["options"] = [
            name for name in ("exhaustive_stop", "comparison") if getattr(budget, name)
        ]
        for district in budget.districts.select_related("region"):
            initial[f"amount_{district.region.code}"] = district.amount
        return initial


class ProjectForm(forms.Form):
    code = forms.CharField(
        label=_("Project number"),
        help_text=_("Short and unique in the district, like 12 or N-4. It cannot change later."),
        max_length=40,
        error_messages={"required": _("Enter the project number")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, error_messages={"required": _("Enter a title")}
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea
    )
    cost = forms.DecimalField(
        label=_("Cost"),
        min_value=0,
        max_digits=16,
        decimal_places=2,
        error_messages={
            "required": _("Enter the cost"),
            "invalid": _("Enter the cost as an amount, like 120000"),
            "min_value": _("Enter a cost above zero"),
            "max_digits": _("Enter a smaller cost"),
            "max_decimal_places": _("Enter the cost to the cent at most"),
        },
    )
    category = forms.CharField(label=_("Category (optional)"), max_length=120, required=False)

    def __init__(self, *args, district=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        if editing:
            del self.fields["code"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self.district is not None and self.district.projects.filter(code=code).exists():
            raise forms.ValidationError(
                _("There is already a project %(code)s in this district"), params={"code": code}
            )
        return code

    def clean_cost(self):
        cost = self.cleaned_data["cost"]
        if cost == 0:
            raise forms.ValidationError(_("Enter a cost above zero"))
        return cost


# --- opinion-map conversations -----------------------------------------------------------------
class ConversationForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        help_text=_("The question people give their views on."),
        max_length=200,
        error_messages={"required": _("Enter the topic")},
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea
    )
    consultation = forms.ChoiceField(
        label=_("Part of a consultation?"), widget=forms.RadioSelect, required=False
    )
    participants_may_add = forms.ChoiceField(
        label=_("May participants add their own statements?"),
        help_text=_("A first statement from someone waits for a moderator."),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select yes if participants may add statements")},
    )
    statements = forms.CharField(
        label=_("First statements"),
        help_text=_(
            "One per line, each a short idea people can agree or disagree with (at most "
            "%(max)s characters)."
        )
        % {"max": STATEMENT_MAX},
        widget=forms.Textarea,
        error_messages={"required": _("Write at least one statement")},
    )

    def __init__(self, *args, consultations=(), with_statements: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].choices = consultation_choices(consultations)
        if not with_statements:
            del self.fields["statements"]

    def clean_statements(self):
        return statement_lines(self.cleaned_data["statements"])


def statement_lines(text: str) -> str:
    too_long = [line for line in text.splitlines() if len(line.strip()) > STATEMENT_MAX]
    if too_long:
        raise forms.ValidationError(
            _("Each statement must be %(max)s characters or fewer: shorten “%(start)s…”"),
            params={"max": STATEMENT_MAX, "start": too_long[0].strip()[:40]},
        )
    return text


class SeedForm(forms.Form):
    statements = forms.CharField(
        label=_("Add statements"),
        help_text=_("One per line. They are published at once, as the organisers' statements."),
        widget=forms.Textarea,
        error_messages={"required": _("Write at least one statement")},
    )

    def clean_statements(self):
        return statement_lines(self.cleaned_data["statements"])
