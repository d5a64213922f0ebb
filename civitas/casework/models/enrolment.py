"""Beneficiaries enrolled in programmes, and proactive runs that invite people who qualify."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.applications.models import Application
from civitas.casework.lifecycles import EnrolmentStatus, RunStatus
from civitas.programs.models import Program
from civitas.registry.models import Household, Person
from civitas.security.fields import EncryptedCharField

LIVE_ENROLMENT = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)


class EnrolmentSource(models.TextChoices):
    APPLICATION = "application", _("Approved application")
    APPEAL = "appeal", _("Upheld appeal")
    PROACTIVE = "proactive", _("Proactive enrolment")
    DEMO = "demo", _("Demo data")


class PaymentChannel(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    MOBILE_MONEY = "mobile_money", _("Mobile money")


# Bank details are encrypted at rest. Enrolment.account and Payment.account hold the same kind
# of value, so they bind the same associated data: approval copies the ciphertext into a million
# payments in one INSERT ... SELECT instead of decrypting and re-encrypting each row in Python.
# (Associated data binds a kind of value, not a row: a token could already move between rows of one
# column, so sharing it between these two columns opens nothing new.)
ACCOUNT_CONTEXT = "casework.enrolment.account"


class AccountField(EncryptedCharField):
    """A beneficiary's bank account or mobile-money number, encrypted at rest."""

    def encryption_context(self) -> str:
        return ACCOUNT_CONTEXT


class Enrolment(models.Model):
    """A person receives a programme's benefit for their household from ``started_on``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrolments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    # changes only through civitas.casework.enrolment (see lifecycles.ENROLMENT_TRANSITIONS)
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    source = models.CharField(max_length=20, choices=EnrolmentSource.choices)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    payment_channel = models.CharField(max_length=20, choices=PaymentChannel.choices)
    account = AccountField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # one live enrolment per person and programme, enforced by a partial unique index
            models.UniqueConstraint(
                fields=["person", "program"],
                condition=models.Q(status__in=LIVE_ENROLMENT),
                name="casework_one_live_enrolment",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"], name="casework_enrol_prog")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.program_id} ({self.status})"


class EnrolledChild(models.Model):
    """A child counted in an enrolment of a maternity or child programme: once per programme."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="children")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    # mirrors the enrolment (live or ended) so the partial index below can see it
    live = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child", "program"],
                condition=models.Q(live=True),
                name="casework_child_enrolled_once",
            ),
        ]

    def __str__(self) -> str:
        return f"child {self.child_id} in {self.program_id}"


class ProactiveRun(models.Model):
    """A programme's eligibility computed over the whole registry, to invite who qualifies."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7)  # YYYY-MM
    invite = models.BooleanField(default=True)
    # changes only through civitas.casework.proactive (see lifecycles.RUN_TRANSITIONS)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=60, blank=True)
    households = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)
    invited = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(status__in=["queued", "running"]),
                name="casework_one_live_run_per_program",
            ),
        ]

    def __str__(self) -> str:
        return f"proactive {self.program_id} {self.period} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 * self.processed // self.households if self.households else 0


class Invitation(models.Model):
    """An invitation to apply, sent once per household and programme."""

    run = models.ForeignKey(ProactiveRun, on_delete=models.CASCADE, related_name="invitations")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    by_email = models.BooleanField(default=False)  # otherwise a letter to the household's address
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "household"], name="casework_invite_household_once"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.program_id}/{self.household_id}"
