"""The social registry: places, persons, households and who lives where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    """A local office; casework is assigned within an office."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices")

    def __str__(self) -> str:
        return self.name


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Person(models.Model):
    national_id = models.CharField(max_length=20, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    pregnant = models.BooleanField(default=False)
    # The citizen account that belongs to this person, once they have signed in and been matched.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        indexes = [models.Index(fields=["family_name", "birth_date"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Household(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    address = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="households")
    monthly_rent = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    def __str__(self) -> str:
        return self.reference


class MemberRole(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices)

    class Meta:
        constraints = [
            # a person lives in one household at a time
            models.UniqueConstraint(fields=["person"], name="registry_one_household_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.household} ({self.role})"
