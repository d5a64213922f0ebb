"""Participatory budgets: preparing, opening and closing the vote, and casting secret ballots.

Ballot secrecy (docs/decisions/0021-ballot-secrecy.md): casting writes a ``VoteMarker`` (who) and a
``Ballot`` (what) that share nothing; the ballot's ``slot`` is a keyed hash the server recomputes
to find and replace a voter's previous ballot, and it is erased at close. The audit event says
that a person voted in a budget, never what or which ballot.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation import ballots, eligibility, pbcore
from civitas.participation.lifecycles import BUDGET, BudgetStatus
from civitas.participation.models import Ballot, Budget, District, Project, VoteMarker
from civitas.participation.models.budgets import BallotFormat, Completion, TallyRule, Utility
from civitas.participation.secrecy import ballot_slot
from civitas.registry.models import Region


class BudgetError(ValueError):
    """The budget cannot be set up or changed as asked; the message says why."""


class NotEligible(PermissionError):
    """The person may not vote in this budget; the message says why in plain words."""


def _amount(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BudgetError(_("%(what)s must be a number.") % {"what": what}) from None
    if amount <= 0:
        raise BudgetError(_("%(what)s must be more than zero.") % {"what": what})
    return amount.quantize(Decimal("0.01"))


def _check_settings(spec: dict[str, Any]) -> None:
    if spec["ballot_format"] not in BallotFormat.values:
        raise BudgetError(_("Choose a ballot format."))
    if spec["rule"] not in TallyRule.values or spec["utility"] not in Utility.values:
        raise BudgetError(_("Choose the tally rule and its utilities."))
    if spec["completion"] not in Completion.values:
        raise BudgetError(_("Choose the completion method."))
    if spec["ballot_format"] == BallotFormat.CUMULATIVE and not spec.get("points"):
        raise BudgetError(_("A cumulative ballot needs the number of points each voter has."))
    try:
        pbcore.spec_for(
            rule=spec["rule"],
            utility=spec["utility"],
            completion=spec["completion"],
            exhaustive_stop=spec["exhaustive_stop"],
            comparison=spec["comparison"],
        )
    except pbcore.TallyError as exc:
        raise BudgetError(_("The counting rule is not valid: %(error)s") % {"error": exc}) from None
    low, high = spec.get("min_projects", 1), spec.get("max_projects")
    if high is not None and low > high:
        raise BudgetError(_("The minimum number of projects must not be above the maximum."))


@transaction.atomic
def create_budget(
    *,
    actor,
    slug: str,
    title: str,
    districts: list[tuple[Region, Any]],
    description: str = "",
    currency: str | None = None,
    voting_opens_on: date | None = None,
    voting_closes_on: date | None = None,
    minimum_age: int | None = None,
    age_on: date | None = None,
    ballot_format: str = BallotFormat.APPROVAL,
    min_projects: int = 1,
    max_projects: int | None = None,
    points: int | None = None,
    rule: str = TallyRule.GREEDY,
    utility: str = Utility.COST,
    completion: str = Completion.NONE,
    exhaustive_stop: bool = False,
    comparison: bool = False,
) -> Budget:
    """A draft budget with one district per region and its amount; the slug makes it idempotent."""
    slug = slugify(slug)[:80]
    existing = Budget.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if not title.strip():
        raise BudgetError(_("Enter the budget's title."))
    if not districts:
        raise BudgetError(_("Add at least one district with its amount."))
    spec = {
        "ballot_format": ballot_format,
        "min_projects": min_projects,
        "max_projects": max_projects,
        "points": points,
        "rule": rule,
        "utility": utility,
        "completion": completion,
        "exhaustive_stop": exhaustive_stop,
        "comparison": comparison,
    }
    _check_settings(spec)
    _check_dates(voting_opens_on, voting_closes_on)
    budget = Budget.objects.create(
        slug=slug,
        title=title.strip(),
        description=description.strip(),
        currency=currency or settings.CIVITAS_CURRENCY,
        voting_opens_on=voting_opens_on,
        voting_closes_on=voting_closes_on,
        minimum_age=settings.PARTICIPATION_MINIMUM_AGE if minimum_age is None else minimum_age,
        age_on=age_on,
        **spec,
    )
    for region, amount in districts:
        District.objects.create(
            budget=budget, region=region, amount=_amount(amount, _("The district's amount"))
        )
    audit.record(
        actor=actor,
        action="participation:budget:created",
        subject=budget,
        after={
            "slug": slug,
            "title": budget.title,
            "districts": {r.code: str(a) for r, a in districts},
            **spec,
        },
    )
    return budget


@transaction.atomic
def add_project(
    *,
    actor,
    district: District,
    code: str,
    title: str,
    cost,
    description: str = "",
    category: str = "",
) -> Project:
    if district.budget.status != BudgetStatus.DRAFT:
        raise BudgetError(_("Projects can only be added before voting opens."))
    code = str(code).strip()
    if not code or not title.strip():
        raise BudgetError(_("Enter the project's number and title."))
    project, created = Project.objects.get_or_create(
        district=district,
        code=code,
        defaults={
            "title": title.strip(),
            "description": description.strip(),
            "cost": _amount(cost, _("The project's cost")),
            "category": category.strip(),
            "position": district.projects.count() + 1,
        },
    )
    if created:
        audit.record(
            actor=actor,
            action="participation:project:added",
            subject=project,
            after={"district": district.region.code, "code": code, "cost": project.cost},
        )
    return project


def _draft_budget(budget: Budget, what: str) -> Budget:
    """The budget, locked, if it is still being prepared; ``what`` says what cannot change."""
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    if locked.status != BudgetStatus.DRAFT:
        raise BudgetError(_("Voting has opened: %(what)s can no longer change.") % {"what": what})
    return locked


def _check_dates(opens_on: date | None, closes_on: date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise BudgetError(_("The closing day of the vote must be on or after its opening day."))


SETTINGS = (
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
    "exhaustive_stop",
    "comparison",
)


@transaction.atomic
def update_budget(
    *, actor, budget: Budget, districts: list[tuple[Region, Any]], **settings_: Any
) -> Budget:
    """Change a draft budget's settings and districts (``settings_``: any of ``SETTINGS``).

    A district that is left out is removed, which is refused while it still has projects.
    """
    locked = _draft_budget(budget, _("the budget's settings"))
    unknown = set(settings_) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown budget settings: {sorted(unknown)}")
    values = {name: getattr(locked, name) for name in SETTINGS}
    values.update(settings_)
    if not str(values["title"]).strip():
        raise BudgetError(_("Enter the budget's title."))
    if not districts:
        raise BudgetError(_("Add at least one district with its amount."))
    _check_dates(values["voting_opens_on"], values["voting_closes_on"])
    _check_settings(values)
    amounts = {
        region.pk: (region, _amount(a, _("The district's amount"))) for region, a in districts
    }
    current = {d.region_id: d for d in locked.districts.select_related("region")}
    for region_id, district in current.items():
        if region_id not in amounts and district.projects.exists():
            raise BudgetError(
                _("%(district)s still has projects: remove them before removing the district.")
                % {"district": district.region.name}
            )
    before = {name: getattr(locked, name) for name in SETTINGS}
    before["districts"] = {d.region.code: d.amount for d in current.values()}
    for name in SETTINGS:
        value = values[name]
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if locked.ballot_format != BallotFormat.CUMULATIVE:
        locked.points = None
    locked.save(update_fields=list(SETTINGS))
    for region_id, district in current.items():
        if region_id not in amounts:
            district.delete()
    for region_id, (region, amount) in amounts.items():
        district = current.get(region_id)
        if district is None:
            District.objects.create(budget=locked, region=region, amount=amount)
        elif district.amount != amount:
            district.amount = amount
            district.save(update_fields=["amount"])
    after = {name: getattr(locked, name) for name in SETTINGS}
    after["districts"] = {region.code: amount for region, amount in amounts.values()}
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        audit.record(
            actor=actor,
            action="participation:budget:updated",
            subject=locked,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return locked


@transaction.atomic
def update_project(
    *,
    actor,
    project: Project,
    title: str,
    cost,
    description: str = "",
    category: str = "",
) -> Project:
    """Change a project of a draft budget (its number stays: ballots and files refer to it)."""
    _draft_budget(project.district.budget, _("the projects"))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not title.strip():
        raise BudgetError(_("Enter the project's title."))
    fields = ("title", "description", "cost", "category")
    before = {f: getattr(locked, f) for f in fields}
    locked.title, locked.description = title.strip(), description.strip()
    locked.cost = _amount(cost, _("The project's cost"))
    locked.category = category.strip()
    after = {f: getattr(locked, f) for f in fields}
    changed = [f for f in fields if after[f] != before[f]]
    if changed:
        locked.save(update_fields=changed)
        audit.record(
            actor=actor,
            action="participation:project:updated",
            subject=locked,
            before={f: before[f] for f in changed},
            after={f: after[f] for f in changed},
        )
    return locked


@transaction.atomic
def remove_project(*, actor, project: Project) -> None:
    """Remove a project from a draft budget."""
    _draft_budget(project.district.budget, _("the projects"))
    removed = {
        "district": project.district.region.code,
        "code": project.code,
        "title": project.title,
        "cost": project.cost,
    }
    audit.record(
        actor=actor, action="participation:project:removed", subject=project, before=removed
    )
    project.delete()


def _transition(budget: Budget, target: str, actor, **after) -> Budget:
    locked = Budget.objects.select_for_update().get(pk=budget.pk)
    BUDGET.check(locked.status, target)
    before = {"status": locked.status}
    locked.status = target
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action=f"participation:budget:{target}",
        subject=locked,
        before=before,
        after={"status": target, **after},
    )
    return locked


@transaction.atomic
def open_voting(*, actor, budget: Budget) -> Budget:
    empty = [
        d.region.name for d in budget.districts.select_related("region") if not d.projects.exists()
    ]
    if empty:
        raise BudgetError(
            _("Add projects before opening the vote: none yet in %(districts)s.")
            % {"districts": ", ".join(empty)}
        )
    return _transition(budget, BudgetStatus.OPEN, actor)


@transaction.atomic
def close_voting(*, actor, budget: Budget) -> Budget:
    """Close the vote and seal the ballots: erase every slot, so no key links a ballot to anyone
    any more, and rewrite the ballots under new random keys in random order, so not even their
    physical order in the database remembers the order they were cast in."""
    closed = _transition(budget, BudgetStatus.CLOSED, actor)
    sealed = _seal_ballots(closed)
    audit.record(
        actor=actor,
        action="participation:budget:ballots_sealed",
        subject=closed,
        after={"ballots": sealed},
    )
    return closed


def _seal_ballots(budget: Budget) -> int:
    rows = list(Ballot.objects.filter(budget=budget).values_list("district_id", "choices"))
    Ballot.objects.filter(budget=budget).delete()
    fresh = [
        Ballot(
            id=uuid.UUID(bytes=secrets.token_bytes(16), version=4),
            budget=budget,
            district_id=district_id,
            choices=choices,
        )
        for district_id, choices in rows
    ]
    fresh.sort(key=lambda ballot: ballot.id.bytes)  # random keys: random order
    Ballot.objects.bulk_create(fresh, batch_size=2000)
    return len(fresh)


def _lock_budget_shared(budget: Budget) -> Budget:
    """Read the budget under a lock that lets ballots be cast side by side but makes closing
    wait for them (PostgreSQL FOR SHARE; SQLite already serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM participation_budget WHERE id = %s FOR SHARE", [budget.pk]
            )
    return Budget.objects.get(pk=budget.pk)


@transaction.atomic
def cast_ballot(*, voter, budget: Budget, choices: Any) -> None:
    """Record ``voter``'s ballot, replacing their previous one. Returns nothing about the ballot.

    Refused before anything is stored: ``NotEligible`` (with the reason) or
    ``ballots.BallotRefused`` (with the rule broken).
    """
    current = _lock_budget_shared(budget)
    if current.status != BudgetStatus.OPEN:
        raise NotEligible(_("Voting is not open for this budget."))
    who = eligibility.check(voter, current)
    if not who.eligible:
        raise NotEligible(who.reason)
    district = who.district
    projects = {p.code: p for p in district.projects.all()}
    canonical = ballots.normalise(current, district, choices, projects)
    slot = ballot_slot(budget_id=current.pk, person_id=who.person.pk)
    replaced = Ballot.objects.filter(slot=slot).update(district=district, choices=canonical)
    if not replaced:
        try:
            with transaction.atomic():
                Ballot.objects.create(
                    budget=current, district=district, slot=slot, choices=canonical
                )
        except IntegrityError:  # the same voter's other request won the race: replace it
            Ballot.objects.filter(slot=slot).update(district=district, choices=canonical)
    try:
        with transaction.atomic():
            VoteMarker.objects.get_or_create(budget=current, person=who.person)
    except IntegrityError:
        pass  # marked by a concurrent request of the same voter
    audit.record(
        actor=voter,
        action="participation:ballot:cast",
        subject=("participation.budget", str(current.pk)),
        after={"budget": current.slug},
    )
