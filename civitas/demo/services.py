"""Loading the demo country into the database. Every step is idempotent: running it twice
changes nothing the second time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from civitas.accounts import services as accounts
from civitas.accounts.models import User
from civitas.casework.demo import grant_demo_scopes
from civitas.demo import catalogue, country
from civitas.demo.population import first_serial_for, generate
from civitas.opendata.demo import load_demo_catalogue
from civitas.participation.demo import load_demo_participation
from civitas.payments.demo import enrol_demo_beneficiaries
from civitas.programs import services as programs
from civitas.programs.models import Program
from civitas.registry import services as registry
from civitas.registry.models import Household, Membership, Person, Region
from civitas.registry.national_id import make_national_id

PROGRAMMES_DIR = Path(__file__).parent / "programmes"
ACTOR = "demo-loader"


def read_rules_folder(folder: Path) -> dict[str, str]:
    """A rules folder as ``{relative path: text}``, the way programme versions store it."""
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in {".yaml", ".yml"}
    }


def load_geography() -> None:
    for code, name, _ in country.REGIONS:
        registry.ensure_region(actor=ACTOR, code=code, name=name)
    for code, name, region_code in country.OFFICES:
        registry.ensure_office(
            actor=ACTOR, code=code, name=name, region=Region.objects.get(code=region_code)
        )


def load_programmes() -> None:
    for order, spec in enumerate(catalogue.PROGRAMMES):
        program = Program.objects.filter(slug=spec["slug"]).first()
        if program is None:
            texts = {
                key: spec[key]
                for key in (
                    "name",
                    "summary",
                    "who_can_apply",
                    "what_you_need",
                    "how_long",
                    "what_happens_next",
                )
            }
            texts["decision_days"] = spec.get("decision_days", 10)
            program = programs.create_program(
                actor=ACTOR, slug=spec["slug"], display_order=order, **texts
            )
        if program.version_in_force() is None:
            programs.put_version_in_force(
                actor=ACTOR,
                program=program,
                effective_from=date(2024, 1, 1),
                rules=read_rules_folder(PROGRAMMES_DIR / spec["slug"]),
                form={k: spec[k] for k in ("questions", "documents", "checker") if k in spec},
                legal_basis=catalogue.LEGAL_BASIS,
            )


def load_accounts() -> None:
    for email, name, roles in catalogue.DEMO_STAFF:
        if not User.objects.filter(email=email).exists():
            accounts.create_staff(
                email=email,
                password=catalogue.DEMO_PASSWORD,
                full_name=name,
                roles=roles,
                actor=ACTOR,
            )
    admin = User.objects.get(email="admin@demo.civitas.example")
    if not admin.is_superuser:
        User.objects.filter(pk=admin.pk).update(is_superuser=True)
    if not User.objects.filter(email=catalogue.DEMO_CITIZEN).exists():
        with transaction.atomic():
            citizen = accounts.create_citizen(
                email=catalogue.DEMO_CITIZEN,
                password=catalogue.DEMO_PASSWORD,
                full_name="Amina Haddad",
                actor=ACTOR,
            )
            _demo_citizen_household(citizen)


def _demo_citizen_household(citizen: User) -> None:
    """Amina Haddad, her partner and two children in the capital: a family that qualifies for
    child benefit, so the demo journey has a real case."""
    household = Household(
        reference="H-DEMO-0001",
        address="12 Liberty Street",
        region=Region.objects.get(code="capital"),
        monthly_rent=Decimal("420.00"),
    )
    people = [
        Person(
            national_id=make_national_id(99_000_001),
            given_name="Amina",
            family_name="Haddad",
            birth_date=date(1991, 4, 12),
            sex="female",
            monthly_income=Decimal("650.00"),
        ),
        Person(
            national_id=make_national_id(99_000_002),
            given_name="Omar",
            family_name="Haddad",
            birth_date=date(1988, 9, 3),
            sex="male",
            monthly_income=Decimal("300.00"),
        ),
        Person(
            national_id=make_national_id(99_000_003),
            given_name="Leila",
            family_name="Haddad",
            birth_date=date(2017, 6, 21),
            sex="female",
        ),
        Person(
            national_id=make_national_id(99_000_004),
            given_name="Yusuf",
            family_name="Haddad",
            birth_date=date(2021, 2, 8),
            sex="male",
        ),
    ]
    registry.bulk_add_households(
        actor=ACTOR,
        households=[household],
        persons=people,
        memberships=[(0, 0, "adult"), (0, 1, "adult"), (0, 2, "child"), (0, 3, "child")],
        source="demo citizen",
    )
    registry.link_account(
        actor=ACTOR,
        person=Person.objects.with_national_id(people[0].national_id).get(),
        user=citizen,
    )


def populate(
    *,
    households: int,
    seed: int,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add ``households`` synthetic households for ``seed``; returns how many were added (0 if
    this seed was loaded before)."""
    first_reference = f"H{seed:03d}{0:08d}"
    if Household.objects.filter(reference=first_reference).exists():
        return 0
    regions = {r.code: r for r in Region.objects.all()}
    added = 0
    chunk: list = []
    for record in generate(households=households, seed=seed, first_serial=first_serial_for(seed)):
        chunk.append(record)
        if len(chunk) == batch:
            added += _save_chunk(chunk, regions, seed)
            chunk = []
            if progress:
                progress(added, households)
    if chunk:
        added += _save_chunk(chunk, regions, seed)
        if progress:
            progress(added, households)
    return added


def _save_chunk(chunk, regions, seed: int) -> int:
    households, persons, memberships = [], [], []
    for h_index, record in enumerate(chunk):
        households.append(
            Household(
                reference=record.reference,
                address=record.address,
                region=regions[record.region],
                monthly_rent=Decimal(str(record.monthly_rent)),
            )
        )
        for member in record.members:
            memberships.append((h_index, len(persons), member.role))
            persons.append(
                Person(
                    national_id=member.national_id,
                    given_name=member.given_name,
                    family_name=member.family_name,
                    birth_date=member.birth_date,
                    sex=member.sex,
                    monthly_income=Decimal(str(member.monthly_income)),
                    pregnant=member.pregnant,
                )
            )
    return registry.bulk_add_households(
        actor=ACTOR,
        households=households,
        persons=persons,
        memberships=memberships,
        source=f"demo populate seed={seed}",
    )


def load_all(*, households: int, seed: int, progress=None) -> dict[str, int]:
    load_geography()
    load_programmes()
    load_accounts()
    added = populate(households=households, seed=seed, progress=progress)
    grant_demo_scopes()  # staff scopes to programmes and regions
    enrolled = enrol_demo_beneficiaries()  # so `make demo` can show a whole payment cycle
    # after the people exist, so the draft rule's impact can be simulated over them
    load_demo_participation()
    # last: the catalogue publishes disclosure-checked statistics of everything above
    load_demo_catalogue()
    return {
        "households_added": added,
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "programmes": Program.objects.count(),
        "enrolled": sum(enrolled.values()),
    }
