"""Consultations on draft policies and draft programme versions, their documents and impact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.participation.lifecycles import Phase
from civitas.programs.models import ProgramVersion


class Subject(models.TextChoices):
    POLICY = "policy", _("A draft policy")
    PROGRAM_VERSION = "program_version", _("A draft change to a programme's rules")


class Consultation(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400, help_text="One or two sentences for the list.")
    subject = models.CharField(max_length=20, choices=Subject.choices, default=Subject.POLICY)
    # the draft rules consulted on; the version in force of the same programme is the baseline
    program_version = models.ForeignKey(
        ProgramVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    # changes only through services.consultations.advance_phase (see lifecycles.CONSULTATION)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    # the household variable whose change the impact simulation reports (a monthly amount)
    impact_variable = models.CharField(max_length=80, default="amount")
    outcome = models.TextField(blank=True, help_text="What was decided and why.")
    follow_up = models.TextField(blank=True, help_text="What happened after the decision.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject="policy", program_version__isnull=True)
                | models.Q(subject="program_version", program_version__isnull=False),
                name="participation_consultation_subject_matches",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PhaseChange(models.Model):
    """The public timeline: when each phase began and what the government said then."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="phases")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    note = models.TextField(blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.phase}"


class Document(models.Model):
    """A consultation document as accessible HTML (sanitised and checked when saved)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    body_html = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "slug"], name="participation_document_slug"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ImpactRun(models.Model):
    """The draft rules run over the registry's population beside the rules in force.

    ``result`` holds aggregates only (counts, sums, means by decile and region), never a person.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="impact_runs"
    )
    computed_at = models.DateTimeField()
    period = models.CharField(max_length=10)
    baseline = models.CharField(max_length=80)
    draft = models.CharField(max_length=80)
    households = models.PositiveIntegerField()
    persons = models.PositiveIntegerField()
    result = models.JSONField()

    class Meta:
        ordering = ["-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"impact of consultation {self.consultation_id} ({self.period})"
