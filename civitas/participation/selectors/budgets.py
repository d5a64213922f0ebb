"""Reads of participatory budgets: projects, whether one has voted, results, `.pb` export."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.http import Http404

from civitas.participation import eligibility
from civitas.participation.lifecycles import BudgetStatus
from civitas.participation.models import Ballot, Budget, District, Project, TallyResult, VoteMarker
from civitas.participation.models.budgets import BallotFormat
from civitas.participation.pb import Ballot as PbBallot
from civitas.participation.pb import BallotFormat as PbFormat
from civitas.participation.pb import Election, format_pb
from civitas.participation.pb import Project as PbProject
from civitas.participation.permissions import can_manage
from civitas.registry.selectors import person_for_account

SEALED = {BudgetStatus.CLOSED, BudgetStatus.TALLIED}


def public_budgets():
    return Budget.objects.exclude(status=BudgetStatus.DRAFT).order_by("-created_at")


def budget_for(user, *, slug: str) -> Budget:
    budgets = Budget.objects.all() if can_manage(user) else public_budgets()
    budget = budgets.filter(slug=slug).first()
    if budget is None:
        raise Http404("No such budget")
    return budget


def districts_of(budget: Budget) -> list[District]:
    return list(
        budget.districts.select_related("region")
        .prefetch_related("projects")
        .order_by("region__name")
    )


def district_for(budget: Budget, *, region_code: str) -> District:
    district = budget.districts.select_related("region").filter(region__code=region_code).first()
    if district is None:
        raise Http404("No such district")
    return district


def project_in(district: District, *, code: str) -> Project:
    project = district.projects.filter(code=code).first()
    if project is None:
        raise Http404("No such project")
    return project


def slug_taken(slug: str) -> bool:
    return Budget.objects.filter(slug=slug).exists()


def has_voted(user, budget: Budget) -> bool:
    """Whether this person has a ballot in the budget (never which one, never what is in it)."""
    person = person_for_account(user)
    return person is not None and VoteMarker.objects.filter(budget=budget, person=person).exists()


def eligibility_of(user, budget: Budget) -> eligibility.Eligibility:
    return eligibility.check(user, budget)


@dataclass
class ProjectRow:
    project: Project
    score: float
    selected: bool
    order: int | None  # 1 for the first project the rule selected


@dataclass
class DistrictResult:
    district: District
    result: TallyResult
    rows: list[ProjectRow]
    spent_percent: float


def results(budget: Budget) -> list[DistrictResult]:
    """Each district's published result, projects by score (selected first)."""
    if budget.status != BudgetStatus.TALLIED:
        return []
    out = []
    for district in districts_of(budget):
        result = TallyResult.objects.filter(district=district).first()
        if result is None:
            continue
        order = {code: i for i, code in enumerate(result.selected, start=1)}
        rows = [
            ProjectRow(p, float(result.scores.get(p.code, 0)), p.code in order, order.get(p.code))
            for p in district.projects.all()
        ]
        rows.sort(key=lambda r: (not r.selected, -r.score, r.project.title))
        spent = float(result.total_cost) / float(district.amount) * 100 if district.amount else 0
        out.append(DistrictResult(district, result, rows, round(spent, 1)))
    return out


def result_for(user, *, budget: Budget, region_code: str) -> DistrictResult:
    for item in results(budget):
        if item.district.region.code == region_code:
            return item
    raise Http404("No result for this district")


def ballot_count(budget: Budget, district: District | None = None) -> int:
    ballots = Ballot.objects.filter(budget=budget)
    if district is not None:
        ballots = ballots.filter(district=district)
    return ballots.count()


def election_of(district: District, *, with_ballots: bool):
    """The district as the algorithm core's ``Election`` (ballots only once voting is closed).

    Voters are numbered 1..n in the order of the ballots' random keys: the file says nothing
    about who voted or when.
    """
    budget = district.budget
    pb_format = PbFormat(budget.ballot_format)
    projects = tuple(
        PbProject(
            project_id=p.code,
            cost=Fraction(p.cost),
            name=p.title,
            extra={k: str(v) for k, v in {"category": p.category, **p.meta}.items() if v != ""},
        )
        for p in district.projects.order_by("position", "pk")
    )
    extra_columns = sorted({k for p in projects for k in p.extra})
    ballots = []
    if with_ballots and budget.status in SEALED:
        rows = (
            Ballot.objects.filter(district=district)
            .order_by("id")
            .values_list("choices", flat=True)
        )
        for n, choices in enumerate(rows, start=1):
            if budget.ballot_format == BallotFormat.CUMULATIVE:
                ballots.append(
                    PbBallot(
                        voter_id=str(n),
                        projects=tuple(choices),
                        points=tuple(Fraction(v) for v in choices.values()),
                    )
                )
            else:
                ballots.append(PbBallot(voter_id=str(n), projects=tuple(choices)))
    meta = {
        "description": budget.title,
        "country": district.meta.get("country", ""),
        "unit": district.meta.get("unit", district.region.name),
        "instance": district.meta.get("instance", str(budget.created_at.year)),
        **{k: v for k, v in district.meta.items() if k not in {"country", "unit", "instance"}},
        "num_projects": str(len(projects)),
        "num_votes": str(len(ballots)),
        "budget": _plain(district.amount),
        "vote_type": "cumulative" if pb_format.has_points else "approval",
        "currency": budget.currency,
    }
    meta = {k: v for k, v in meta.items() if v != ""}
    if budget.min_projects:
        meta["min_length"] = str(budget.min_projects)
    if budget.max_projects:
        meta["max_length"] = str(budget.max_projects)
    if budget.ballot_format == BallotFormat.KNAPSACK:
        meta["max_sum_cost"] = _plain(district.amount)
    if budget.ballot_format == BallotFormat.CUMULATIVE and budget.points:
        meta["max_sum_points"] = str(budget.points)
    return Election(
        meta=meta,
        projects=projects,
        ballots=tuple(ballots),
        ballot_format=pb_format,
        budget=Fraction(district.amount),
        project_columns=("project_id", "cost", "name", *extra_columns),
        vote_columns=("voter_id", "vote"),
    )


def _plain(amount) -> str:
    value = Fraction(amount)
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def export_pb(district: District) -> str:
    """The district as a Pabulib `.pb` file; ballots are included once voting has closed."""
    return format_pb(election_of(district, with_ballots=True))
