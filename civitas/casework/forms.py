"""Back-office and redress forms (GOV.UK patterns: one error message per field, saying how to
fix it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civitas.casework.lifecycles import TaskKind
from civitas.casework.models import GrievanceCategory

OTHER_RULE = "__other__"


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select approve or reject")},
    )
    rule_reference = forms.ChoiceField(
        label=_("Rule applied"),
        help_text=_("The legal reference the decision rests on. The applicant will read it."),
        required=False,
        choices=[],
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Say which rule applies and why. The applicant will read this."),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": _("Enter the reason for the decision")},
    )

    def __init__(self, *args, references: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose the rule"))] + [(r, r) for r in references or []]
        self.fields["rule_reference"].choices = choices


class SecondApprovalForm(forms.Form):
    agree = forms.ChoiceField(
        label=_("Do you confirm this decision?"),
        choices=[("yes", _("Yes, confirm it")), ("no", _("No, return it to the caseworker"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you confirm the decision")},
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Required when you return the decision: say what needs to change."),
        widget=forms.Textarea,
        required=False,
        max_length=2000,
    )


class InformationRequestForm(forms.Form):
    message = forms.CharField(
        label=_("What information do you need?"),
        help_text=_("The applicant reads this. Say what to send and why."),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": _("Enter what information you need")},
    )


class QueueFilterForm(forms.Form):
    program = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Step"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    older_than_days = forms.IntegerField(
        label=_("Received more than this many days ago"),
        required=False,
        min_value=0,
        max_value=3650,
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
            ("due", _("Due first")),
        ],
    )

    def __init__(self, *args, programs=(), regions=(), statuses=(), colleagues=(), kinds=(), **kw):
        super().__init__(*args, **kw)
        everything = [("", _("All"))]
        self.fields["program"].choices = everything + [(p.pk, p.name) for p in programs]
        self.fields["region"].choices = everything + [(r.pk, r.name) for r in regions]
        self.fields["status"].choices = everything + list(statuses)
        self.fields["kind"].choices = everything + list(kinds)
        self.fields["assignee"].choices = (
            everything
            + [("me", _("Me")), ("nobody", _("Nobody"))]
            + [(str(u.pk), str(u)) for u in colleagues]
        )


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("With the selected tasks"),
        choices=[
            ("take", _("Assign to me")),
            ("give", _("Assign to a colleague")),
            ("release", _("Remove the assignment")),
        ],
        error_messages={"required": _("Select what to do with the selected tasks")},
    )
    colleague = forms.TypedChoiceField(
        label=_("Colleague"), required=False, coerce=int, empty_value=None
    )
    tasks = forms.MultipleChoiceField(
        label=_("Tasks"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one task")},
    )

    def __init__(self, *args, colleagues=(), task_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].choices = [("", _("Choose a colleague"))] + [
            (u.pk, str(u)) for u in colleagues
        ]
        self.fields["tasks"].choices = [(t, t) for t in task_ids]

    def clean(self):
        data = super().clean()
        if data.get("action") == "give" and not data.get("colleague"):
            self.add_error("colleague", _("Choose the colleague to give the tasks to"))
        return data


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why do you think the decision is wrong?"),
        help_text=_(
            "Say what you disagree with and why. You can mention facts we did not know. "
            "Someone who did not take the first decision will look at it again."
        ),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("Enter why you think the decision is wrong")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class GrievanceForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is your complaint about?"),
        choices=GrievanceCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what your complaint is about")},
    )
    application = forms.ChoiceField(label=_("Which application is it about?"), required=False)
    description = forms.CharField(
        label=_("Tell us what happened"),
        help_text=_("Include dates and names if you know them. We answer every complaint."),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("Tell us what happened")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", _("None of them"))] + [
            (a.reference, f"{a.reference} · {a.program.name}") for a in applications
        ]


class RedressDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect, choices=[])
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("The person reads this. Say what you looked at and why you decided so."),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": _("Enter the reason")},
    )

    def __init__(self, *args, outcomes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = list(outcomes)
        self.fields["outcome"].error_messages["required"] = _("Select the outcome")


class ProactiveRunForm(forms.Form):
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
    invite = forms.BooleanField(
        label=_("Send invitations to the people who qualify"), required=False, initial=True
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("Choose"))] + [(p.pk, p.name) for p in programs]


TASK_KIND_CHOICES = [(k.value, k.label) for k in TaskKind]
