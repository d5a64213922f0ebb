"""What e-participation publishes as open data: result tables of aggregates only.

The open data app calls ``result_tables()`` (it sits beside us in the layers, so it pulls; we
never import it). Every table holds counts, sums and shares — never a person, an account, a
comment's text, a free-text answer or a single ballot's link to anyone. Tables appear once the
thing they describe is over: a survey when it closes, a budget when its results are published,
an opinion map when its conversation closes, a consultation's impact once it is public. Small
counts are published as they are: disclosure control is the open data pipeline's job.

``updated_at`` is when the data last changed (a survey's closing, the last comment or phase of a
consultation, the count of a budget), never the time of the call: publishing again without a
change finds the same tables, rows and dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from civitas.participation import maps
from civitas.participation.lifecycles import (
    PUBLIC_PHASES,
    BudgetStatus,
    Contribution,
    OpenClosed,
    ProposalStatus,
)
from civitas.participation.models import (
    Budget,
    Comment,
    Consultation,
    Conversation,
    ModerationEntry,
    PhaseChange,
    Survey,
)
from civitas.participation.models.surveys import QuestionKind
from civitas.participation.selectors import budgets as budget_selectors
from civitas.participation.selectors import conversations as conversation_selectors
from civitas.participation.selectors import surveys as survey_selectors


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string", "integer", "number" or "boolean"
    description: str = ""


@dataclass
class ResultTable:
    key: str  # stable and unique, e.g. "participation/budget/pb-2026/results"
    title: str
    description: str
    kind: str  # "consultation", "survey", "budget" or "opinion_map"
    source_url: str  # the public page the table comes from
    updated_at: datetime
    columns: tuple[Column, ...]
    rows: list[tuple] = field(default_factory=list)

    def as_dicts(self) -> list[dict]:
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def result_tables() -> list[ResultTable]:
    """Every publishable result table, in a stable order. Cheap to call repeatedly."""
    return [
        *_consultation_tables(),
        *_survey_tables(),
        *_budget_tables(),
        *_conversation_tables(),
    ]


# --- consultations -----------------------------------------------------------------------------
def _consultation_tables() -> list[ResultTable]:
    consultations = list(
        Consultation.objects.filter(phase__in=PUBLIC_PHASES)
        .annotate(
            published=Count("comments", filter=Q(comments__status=Contribution.PUBLISHED)),
            hidden=Count("comments", filter=Q(comments__status=Contribution.HIDDEN)),
            commenters=Count(
                "comments__author",
                filter=Q(comments__status=Contribution.PUBLISHED),
                distinct=True,
            ),
        )
        .order_by("slug")
    )
    if not consultations:
        return []
    latest = [
        PhaseChange.objects.filter(consultation__in=consultations).aggregate(m=Max("changed_at"))[
            "m"
        ],
        Comment.objects.filter(consultation__in=consultations).aggregate(m=Max("created_at"))["m"],
        ModerationEntry.objects.filter(kind="comment").aggregate(m=Max("created_at"))["m"],
    ]
    tables = [
        ResultTable(
            key="participation/consultations",
            title="Consultations: participation",
            description="Each public consultation with its phase and how many took part.",
            kind="consultation",
            source_url=reverse("participation:index"),
            updated_at=max(t for t in latest if t is not None),
            columns=(
                Column("consultation", "string", "Identifier of the consultation"),
                Column("title", "string"),
                Column("phase", "string"),
                Column("comments_published", "integer"),
                Column("comments_hidden", "integer", "Hidden by moderators, with a reason"),
                Column("commenters", "integer", "Accounts with a published comment"),
                Column("proposals", "integer", "Public proposals made in the consultation"),
            ),
            rows=[
                (
                    c.slug,
                    c.title,
                    c.phase,
                    c.published,
                    c.hidden,
                    c.commenters,
                    c.proposals.exclude(
                        status__in=[ProposalStatus.HELD, ProposalStatus.HIDDEN]
                    ).count(),
                )
                for c in consultations
            ],
        )
    ]
    for c in consultations:
        run = c.impact_runs.order_by("-computed_at", "-pk").first()
        if run is None:
            continue
        result = run.result
        url = reverse("participation:impact", args=[c.slug])
        group_columns = (
            Column("households", "integer"),
            Column("gainers", "integer", "Households that would receive more"),
            Column("losers", "integer", "Households that would receive less"),
            Column("baseline_total", "number", "Monthly amount under the rules in force"),
            Column("draft_total", "number", "Monthly amount under the draft"),
            Column("change_total", "number", "Monthly change"),
            Column("change_mean", "number", "Average monthly change per household"),
        )

        def values(group: dict, columns=group_columns) -> tuple:
            return tuple(group[col.name] for col in columns)

        described = f"{result['draft']} against {result['baseline']}, {result['period']}"
        tables.append(
            ResultTable(
                key=f"participation/consultation/{c.slug}/impact-by-decile",
                title=f"{c.title}: simulated impact by income decile",
                description=f"The draft rules ({described}) over the population register, "
                "by decile of monthly income per person (1 = poorest).",
                kind="consultation",
                source_url=url,
                updated_at=run.computed_at,
                columns=(Column("decile", "integer"), *group_columns),
                rows=[(d["decile"], *values(d)) for d in result["by_decile"]],
            )
        )
        tables.append(
            ResultTable(
                key=f"participation/consultation/{c.slug}/impact-by-region",
                title=f"{c.title}: simulated impact by region",
                description=f"The draft rules ({described}) over the population register, "
                "by region.",
                kind="consultation",
                source_url=url,
                updated_at=run.computed_at,
                columns=(
                    Column("region", "string"),
                    Column("region_name", "string"),
                    *group_columns,
                ),
                rows=[(r["region"], r["name"], *values(r)) for r in result["by_region"]],
            )
        )
    return tables


# --- surveys -----------------------------------------------------------------------------------
def _survey_tables() -> list[ResultTable]:
    tables = []
    for survey in Survey.objects.filter(status=OpenClosed.CLOSED).order_by("slug"):
        respondents, results = survey_selectors.results(survey)
        rows = []
        for r in results:
            q = r.question
            if q.kind == QuestionKind.TEXT:
                rows.append((q.position, q.text, q.kind, "", r.answered, None))
                continue
            for label, count, share in r.rows:
                rows.append((q.position, q.text, q.kind, label, count, round(share, 2)))
        tables.append(
            ResultTable(
                key=f"participation/survey/{survey.slug}/results",
                title=f"{survey.title}: results",
                description=f"Answers of {respondents} respondents, counted per answer. "
                "Free-text questions give only the number of answers.",
                kind="survey",
                source_url=reverse("participation:survey-results", args=[survey.slug]),
                updated_at=survey.closed_at or survey.created_at,
                columns=(
                    Column("question_number", "integer"),
                    Column("question", "string"),
                    Column("question_kind", "string", "single, multiple, scale or text"),
                    Column("answer", "string"),
                    Column("respondents", "integer", "People who gave this answer"),
                    Column("share_percent", "number", "Share of those who answered"),
                ),
                rows=rows,
            )
        )
    return tables


# --- participatory budgets ---------------------------------------------------------------------
def _budget_tables() -> list[ResultTable]:
    tables = []
    for budget in Budget.objects.filter(status=BudgetStatus.TALLIED).order_by("slug"):
        results = budget_selectors.results(budget)
        url = reverse("participation:budget-results", args=[budget.slug])
        updated = max((r.result.computed_at for r in results), default=timezone.now())
        tables.append(
            ResultTable(
                key=f"participation/budget/{budget.slug}/results",
                title=f"{budget.title}: results by project",
                description="Every project with its cost, its votes and whether it was "
                f"selected ({budget.get_rule_display()}).",
                kind="budget",
                source_url=url,
                updated_at=updated,
                columns=(
                    Column("district", "string"),
                    Column("project_id", "string"),
                    Column("project", "string"),
                    Column("cost", "number"),
                    Column("votes", "number", "Votes (or points) received"),
                    Column("selected", "boolean"),
                    Column("selection_order", "integer", "Order in which the rule selected it"),
                ),
                rows=[
                    (
                        r.district.region.code,
                        row.project.code,
                        row.project.title,
                        float(row.project.cost),
                        row.score,
                        row.selected,
                        row.order,
                    )
                    for r in results
                    for row in r.rows
                ],
            )
        )
        tables.append(
            ResultTable(
                key=f"participation/budget/{budget.slug}/districts",
                title=f"{budget.title}: ballots and spending by district",
                description="Ballots counted, money available and money allocated, by district.",
                kind="budget",
                source_url=url,
                updated_at=updated,
                columns=(
                    Column("district", "string"),
                    Column("district_name", "string"),
                    Column("ballots", "integer"),
                    Column("amount", "number"),
                    Column("allocated", "number"),
                    Column("rule", "string"),
                ),
                rows=[
                    (
                        r.district.region.code,
                        r.district.region.name,
                        r.result.ballots,
                        float(r.district.amount),
                        float(r.result.total_cost),
                        r.result.rule_spec.get("rule", budget.rule),
                    )
                    for r in results
                ],
            )
        )
    return tables


# --- opinion maps ------------------------------------------------------------------------------
def _conversation_tables() -> list[ResultTable]:
    tables = []
    for conversation in Conversation.objects.filter(status=OpenClosed.CLOSED).order_by("slug"):
        url = reverse("participation:opinion-map", args=[conversation.slug])
        tallies = conversation_selectors.tallies(conversation)
        view = maps.map_for(conversation, viewer=None)
        group_columns: tuple[Column, ...] = ()
        shares: dict[int, list] = {}
        if view.available:
            for g in view.groups:
                group_columns += (
                    Column(f"group_{g.number}_agree_percent", "number", f"{g.name}: agree"),
                )
            shares = view.agree_by_statement
        consensus = {s["statement_id"] for s in view.consensus} if view.available else set()
        tables.append(
            ResultTable(
                key=f"participation/conversation/{conversation.slug}/statements",
                title=f"{conversation.topic}: votes on each statement",
                description="Agree, disagree and pass counts per statement"
                + (", with each opinion group's share of agreement." if view.available else "."),
                kind="opinion_map",
                source_url=url,
                updated_at=conversation.closed_at or conversation.created_at,
                columns=(
                    Column("statement_id", "integer"),
                    Column("statement", "string"),
                    Column("agree", "integer"),
                    Column("disagree", "integer"),
                    Column("pass", "integer"),
                    Column("consensus", "boolean", "Every group leans the same way"),
                    *group_columns,
                ),
                rows=[
                    (
                        t.statement.pk,
                        t.statement.text,
                        t.agree,
                        t.disagree,
                        t.passed,
                        t.statement.pk in consensus,
                        *shares.get(t.statement.pk, [None] * len(group_columns)),
                    )
                    for t in tallies
                ],
            )
        )
        if view.available:
            tables.append(
                ResultTable(
                    key=f"participation/conversation/{conversation.slug}/groups",
                    title=f"{conversation.topic}: opinion groups",
                    description="The groups of participants who tend to vote alike.",
                    kind="opinion_map",
                    source_url=url,
                    updated_at=conversation.closed_at or conversation.created_at,
                    columns=(
                        Column("group", "integer"),
                        Column("name", "string"),
                        Column("participants", "integer"),
                    ),
                    rows=[(g.number, g.name, g.size) for g in view.groups],
                )
            )
    return tables
