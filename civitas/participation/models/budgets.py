"""Participatory budgets: districts, projects, secret ballots and tallies.

Ballot secrecy (ADR 0021): ``VoteMarker`` says *who* has voted; ``Ballot`` says *what* was voted.
The two tables share no key, no timestamp and no sequence: a ballot has a random UUID key, no
foreign key to a person or a marker, and while voting is open only a keyed hash (``slot``) that
the server can recompute to replace a re-vote. The slots are erased when voting closes.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.participation.lifecycles import BudgetStatus
from civitas.registry.models import Person, Region


class BallotFormat(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose the projects you support")
    KNAPSACK = "knapsack", _("Knapsack: choose projects that fit within the budget")
    CUMULATIVE = "cumulative", _("Cumulative: share your points between projects")


class TallyRule(models.TextChoices):
    GREEDY = "greedy", _("Greedy: most votes first, while the money lasts")
    EQUAL_SHARES = "mes", _("Method of Equal Shares")


class Utility(models.TextChoices):
    COST = "cost", _("Cost utilities")
    CARDINALITY = "cardinality", _("Cardinality utilities")


class Completion(models.TextChoices):
    NONE = "none", _("No completion")
    ADD1 = "add1", _("Add1: raise the voters' budget one unit at a time")


class Budget(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # changes only through services.budgets (see lifecycles.BUDGET)
    status = models.CharField(
        max_length=10, choices=BudgetStatus.choices, default=BudgetStatus.DRAFT
    )
    currency = models.CharField(max_length=8, default="CVT")
    voting_opens_on = models.DateField(null=True, blank=True)
    voting_closes_on = models.DateField(null=True, blank=True)
    # who may vote: residents of the district in the registry, at least this old on ``age_on``
    minimum_age = models.PositiveSmallIntegerField(default=16)
    age_on = models.DateField(
        null=True, blank=True, help_text="Age is counted on this day (default: the closing day)."
    )
    # the ballot
    ballot_format = models.CharField(
        max_length=12, choices=BallotFormat.choices, default=BallotFormat.APPROVAL
    )
    min_projects = models.PositiveSmallIntegerField(default=1)
    max_projects = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.PositiveIntegerField(null=True, blank=True)  # cumulative: points per voter
    # the tally rule, stored in full with every result
    rule = models.CharField(max_length=10, choices=TallyRule.choices, default=TallyRule.GREEDY)
    utility = models.CharField(max_length=12, choices=Utility.choices, default=Utility.COST)
    completion = models.CharField(max_length=8, choices=Completion.choices, default=Completion.NONE)
    exhaustive_stop = models.BooleanField(default=False)
    comparison = models.BooleanField(default=False)
    imported_from = models.CharField(max_length=200, blank=True)  # a .pb file name, if imported
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class District(models.Model):
    """One district's share of the budget; a resident votes on the projects of their district."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="districts")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    meta = models.JSONField(default=dict, blank=True)  # extra Pabulib META keys, kept on export

    class Meta:
        ordering = ["region__name"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "region"], name="participation_district_once")
        ]

    def __str__(self) -> str:
        return f"{self.budget} – {self.region}"


class Project(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="projects")
    code = models.CharField(max_length=40)  # the Pabulib project_id
    position = models.PositiveIntegerField(default=0)  # order in the file: rules break ties by it
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=16, decimal_places=2)
    category = models.CharField(max_length=120, blank=True)
    meta = models.JSONField(default=dict, blank=True)  # extra Pabulib PROJECTS columns

    class Meta:
        ordering = ["title", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="participation_project_code"),
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="participation_cost_gt0"),
        ]

    def __str__(self) -> str:
        return self.title


class VoteMarker(models.Model):
    """“This person has voted in this budget” — and nothing about the ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="markers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "person"], name="participation_voted_once")
        ]

    def __str__(self) -> str:
        return f"person {self.person_id} voted in budget {self.budget_id}"


class Ballot(models.Model):
    """A secret ballot: what was chosen in a district, never by whom, never when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="ballots")
    # HMAC(ballot key, budget, person) while voting is open, so a re-vote replaces this ballot;
    # erased (null) when voting closes. Imported ballots never have one.
    slot = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # approval/knapsack: a sorted list of project codes; cumulative: {code: points}
    choices = models.JSONField()

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class TallyResult(models.Model):
    """A district's outcome with everything needed to check it: rule, inputs' digest, report."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField()
    rule_spec = models.JSONField()  # the full rule specification, including the tie rule
    ballots = models.PositiveIntegerField()
    ballots_digest = models.CharField(max_length=64)  # SHA-256 of the exported .pb
    selected = models.JSONField()  # project codes, in the order the rule selected them
    total_cost = models.DecimalField(max_digits=16, decimal_places=2)
    scores = models.JSONField()  # {code: votes or points}
    report = models.JSONField()  # the core's step-by-step verification report

    def __str__(self) -> str:
        return f"result of {self.district}"
