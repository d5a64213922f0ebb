"""Forms for e-participation pages. Error messages say how to fix, in the GOV.UK style."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civitas.participation.lifecycles import ANSWER_STATUSES, ProposalStatus
from civitas.participation.models import Question
from civitas.participation.models.budgets import BallotFormat
from civitas.participation.models.comments import ModerationAction, ReportReason
from civitas.participation.models.conversations import STATEMENT_MAX
from civitas.participation.models.surveys import QuestionKind
from civitas.participation.services.comments import BODY_MAX
from civitas.participation.services.proposals import BODY_MAX as PROPOSAL_MAX
from civitas.participation.services.proposals import TITLE_MAX
from civitas.registry.models import Region


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        help_text=_("Be respectful and keep to the subject. Do not share personal information."),
        widget=forms.Textarea,
        max_length=BODY_MAX,
        error_messages={
            "required": _("Enter your comment"),
            "max_length": _("Your comment must be %(limit_value)s characters or fewer"),
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select why you are reporting this")},
    )
    details = forms.CharField(
        label=_("Anything else the moderators should know (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea,
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What do you decide?"),
        choices=ModerationAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what you decide")},
    )
    public_reason = forms.CharField(
        label=_("Public reason"),
        help_text=_(
            "Shown to everyone in place of hidden text and in the moderation log. Name the rule "
            "of the moderation policy that applies."
        ),
        required=False,
        max_length=300,
    )


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title of your proposal"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Enter a title for your proposal")},
    )
    body = forms.CharField(
        label=_("Describe your proposal"),
        help_text=_("Say what should be done, where, and why."),
        widget=forms.Textarea,
        max_length=PROPOSAL_MAX,
        error_messages={"required": _("Describe your proposal")},
    )
    region = forms.ChoiceField(
        label=_("Which region is it about?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a region, or the whole country")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("The whole country"))] + [
            (r.code, r.name) for r in Region.objects.order_by("name")
        ]
        self.fields["region"].required = False


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(key, ProposalStatus(value).label) for key, value in ANSWER_STATUSES.items()],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the outcome")},
    )
    text = forms.CharField(
        label=_("Official answer"),
        help_text=_("Explain what will happen and why. The author and the public will read it."),
        widget=forms.Textarea,
        error_messages={"required": _("Write the answer")},
    )


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Add your own statement"),
        help_text=_("One short idea others can agree or disagree with."),
        max_length=STATEMENT_MAX,
        error_messages={
            "required": _("Write your statement"),
            "max_length": _("Your statement must be %(limit_value)s characters or fewer"),
        },
    )


class PhaseForm(forms.Form):
    note = forms.CharField(
        label=_("What people should know about this phase"),
        help_text=_("Required for the decision (what was decided and why) and follow-up phases."),
        widget=forms.Textarea,
        required=False,
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body_html = forms.CharField(
        label=_("Text (HTML)"),
        help_text=_(
            "Headings from <h2>, paragraphs, lists, tables with header cells, links that say "
            "where they go. Anything else is removed."
        ),
        widget=forms.Textarea,
    )


class ConsultationForm(forms.Form):
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
    subject = forms.ChoiceField(
        label=_("What is consulted on"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what is consulted on")},
    )

    def __init__(self, *args, drafts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [("policy", _("A draft policy"))] + [
            (
                str(v.pk),
                _("Draft rules: %(programme)s, version %(number)s")
                % {"programme": v.program.name, "number": v.number},
            )
            for v in drafts
        ]


class PbImportForm(forms.Form):
    file = forms.FileField(
        label=_("Pabulib .pb file"),
        error_messages={"required": _("Choose a .pb file")},
    )
    region = forms.ChoiceField(
        label=_("District (region) the file is for"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the district")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in Region.objects.order_by("name")]


# --- surveys -----------------------------------------------------------------------------------
def survey_form_class(questions: list[Question]) -> type[forms.Form]:
    """A form with one field per question, named ``q<id>``."""
    fields: dict[str, forms.Field] = {}
    for q in questions:
        common = {"label": q.text, "help_text": q.hint, "required": q.required}
        if q.kind == QuestionKind.SINGLE:
            fields[f"q{q.pk}"] = forms.ChoiceField(
                choices=[(str(c.pk), c.label) for c in q.choices.all()],
                widget=forms.RadioSelect,
                error_messages={"required": _("Select an answer")},
                **common,
            )
        elif q.kind == QuestionKind.MULTIPLE:
            fields[f"q{q.pk}"] = forms.MultipleChoiceField(
                choices=[(str(c.pk), c.label) for c in q.choices.all()],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Select at least one answer")},
                **common,
            )
        elif q.kind == QuestionKind.SCALE:
            labels = {q.scale_min: q.scale_min_label, q.scale_max: q.scale_max_label}
            fields[f"q{q.pk}"] = forms.ChoiceField(
                choices=[
                    (str(v), f"{v} – {labels[v]}" if labels.get(v) else str(v))
                    for v in range(q.scale_min, q.scale_max + 1)
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Select a number")},
                **common,
            )
        else:
            fields[f"q{q.pk}"] = forms.CharField(
                widget=forms.Textarea,
                max_length=2000,
                error_messages={"required": _("Write your answer")},
                **common,
            )
    return type("SurveyForm", (forms.Form,), fields)


def answers_from(form: forms.Form, questions: list[Question]) -> dict[int, object]:
    return {q.pk: form.cleaned_data.get(f"q{q.pk}") for q in questions}


# --- ballots -----------------------------------------------------------------------------------
def ballot_from_post(ballot_format: str, data, project_codes: list[str]):
    """The raw ballot from the posted form: codes for approval/knapsack, points for cumulative."""
    if ballot_format == BallotFormat.CUMULATIVE:
        points = {}
        for code in project_codes:
            raw = (data.get(f"points-{code}") or "").strip()
            if raw:
                points[code] = raw
        return points
    return data.getlist("projects")  # unknown codes are refused by the service, with the reason
