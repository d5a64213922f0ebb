"""The social registry: places, persons, households and who lives where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civitas.security.fields import EncryptedBooleanField, EncryptedCharField, HashIndexField


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


class PersonQuerySet(models.QuerySet):
    def with_national_id(self, number: str) -> PersonQuerySet:
        """The person with this national ID (spaces and case ignored), found by its keyed hash."""
        return self.filter(national_id_hash__in=national_id_hashes(number))


class Person(models.Model):
    # Encrypted at rest; looked up only through national_id_hash (see with_national_id).
    national_id = EncryptedCharField(max_length=20)
    national_id_hash = HashIndexField(source="national_id", normalize="upper", unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    monthly_income = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    pregnant = EncryptedBooleanField(default=False)  # health data: encrypted at rest
    # The citizen account that belongs to this person, once they have signed in and been matched.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["family_name", "birth_date"]),
            # fuzzy duplicate search compares names within the same birth date
            models.Index(fields=["birth_date"], name="registry_person_birth_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def national_id_hashes(number: str) -> list[str]:
    """Keyed hashes of a national ID under every configured hash key (for ``__in`` lookups,
    including across relations: ``person__national_id_hash__in``)."""
    return Person._meta.get_field("national_id_hash").candidates(number)


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


class ImportBatch(models.Model):
    """One file imported into the registry, all or nothing; the file's hash makes a re-run a no-op."""

    source = models.CharField(max_length=60, help_text="Scheme of the identifiers the file gives.")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField()
    households = models.PositiveIntegerField()
    persons = models.PositiveIntegerField()
    duplicates_flagged = models.PositiveIntegerField(default=0)
    imported_by = models.CharField(max_length=200)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows} rows)"


class PersonIdentifier(models.Model):
    """An identifier a source system gave a person (census number, civil-registry number...)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=60)
    value = models.CharField(max_length=100)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="registry_person_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class HouseholdIdentifier(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=60)
    value = models.CharField(max_length=100)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"], name="registry_household_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class DuplicateRule(models.TextChoices):
    NATIONAL_ID = "national_id", _("Same national ID")
    NAME_AND_BIRTH = "name_birth", _("Similar name, same date of birth")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")  # found automatically, nobody has looked yet
    SAME_PERSON = "same_person", _("Same person")  # confirmed: one record must be retired
    DIFFERENT = "different", _("Different people")  # confirmed: not a duplicate


class DuplicateFlag(models.Model):
    """Two registry records that may be the same person, waiting for a person to decide."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=20, choices=DuplicateRule.choices)
    score = models.FloatField(help_text="Name similarity, 0 to 1.")
    found_during = models.CharField(max_length=40)  # "import <file>" or "application <ref>"
    # changes only through civitas.registry.services.review_duplicate
    status = models.CharField(
        max_length=20, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    created_at = models.DateTimeField()
    reviewed_by = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "other", "rule"], name="registry_duplicate_once"
            ),
            # each pair is stored once, lower id first
            models.CheckConstraint(
                condition=models.Q(person__lt=models.F("other")), name="registry_duplicate_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id} ({self.rule})"
