"""Demo content for e-participation in the Republic of Civitas; called by ``civitas demo load``.

Idempotent: every object is found by its slug and created only when missing, so loading twice
changes nothing the second time.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import yaml
from django.db import transaction
from django.utils import timezone

from civitas.audit import services as audit
from civitas.participation.impact import ImpactError
from civitas.participation.lifecycles import BudgetStatus, OpenClosed, Phase
from civitas.participation.models import Budget, Consultation, Conversation, Survey
from civitas.participation.services import budgets as budgets
from civitas.participation.services import consultations as consultations
from civitas.participation.services import conversations as conversations
from civitas.participation.services import surveys as surveys
from civitas.programs.models import Program, ProgramVersion, VersionStatus
from civitas.registry.models import Region

ACTOR = "demo-loader"

CONSULTATION_SLUG = "child-benefit-2027"
BUDGET_SLUG = "civitas-budget-2027"
SURVEY_SLUG = "child-benefit-2027-survey"
CONVERSATION_SLUG = "family-support"

PROJECTS = {
    "capital": [
        ("C1", "Shade trees along Liberty Street", 120_000, "Greenery"),
        ("C2", "A covered playground in Central Park", 250_000, "Children"),
        ("C3", "Free drinking fountains in ten squares", 60_000, "Health"),
        ("C4", "Safe cycle lane to the university", 300_000, "Transport"),
    ],
    "north": [
        ("N1", "Winter road gritting for mountain villages", 90_000, "Transport"),
        ("N2", "Mobile library van", 70_000, "Culture"),
        ("N3", "Repair of the Highland community hall", 150_000, "Community"),
    ],
    "south": [
        ("S1", "Beach access ramps for wheelchairs", 80_000, "Accessibility"),
        ("S2", "Fish market roof repair", 140_000, "Economy"),
        ("S3", "Coastal path lighting", 110_000, "Safety"),
    ],
    "east": [
        ("E1", "Irrigation pond for community gardens", 100_000, "Greenery"),
        ("E2", "School bus shelter on the Plains road", 45_000, "Children"),
        ("E3", "Sports field drainage", 130_000, "Sport"),
    ],
    "west": [
        ("W1", "Footbridge over the Valley river", 160_000, "Transport"),
        ("W2", "Health post solar panels", 90_000, "Health"),
        ("W3", "Youth music workshop", 40_000, "Culture"),
    ],
}
DISTRICT_AMOUNT = {
    "capital": 400_000,
    "north": 200_000,
    "south": 200_000,
    "east": 200_000,
    "west": 200_000,
}

DOCUMENT = """
<h2>What we propose</h2>
<p>Child benefit is paid for each child under 18 in a household whose monthly income is below a
limit. We propose to raise the amount per child from 55 to 65 CVT a month, and the income limit
from 2,000 to 2,200 CVT, from 1 January 2027.</p>
<h2>Why</h2>
<p>Prices of food and school supplies rose by 12% in two years. The amount has not kept up.</p>
<h2>The change in numbers</h2>
<table>
<caption>Child benefit, per month</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">Now</th><th scope="col">Proposed</th></tr></thead>
<tbody>
<tr><th scope="row">Amount per child</th><td>55 CVT</td><td>65 CVT</td></tr>
<tr><th scope="row">Household income limit</th><td>2,000 CVT</td><td>2,200 CVT</td></tr>
</tbody>
</table>
<h2>What we want to know</h2>
<ul><li>Is the new amount enough?</li><li>Should the limit depend on the number of children?</li>
</ul>
"""

STATEMENTS = [
    "Child benefit should rise every year with prices.",
    "Families with more children should get more per child.",
    "The income limit should be removed: every child should get the benefit.",
    "Money would be better spent on free school meals than on cash.",
    "Applying for child benefit is too complicated.",
    "Benefits should be paid to the mother by default.",
    "The government should check income more often to prevent fraud.",
    "A higher benefit would help families stay out of debt.",
]


def _draft_child_benefit() -> ProgramVersion | None:
    """A draft version of child benefit with higher amounts, for the demo consultation.

    Programme versions belong to the programmes app; until it offers a "new draft version"
    service (the programme-studio issue), the demo writes the draft here, audited.
    """
    program = Program.objects.filter(slug="child-benefit").first()
    if program is None:
        return None
    in_force = program.version_in_force()
    if in_force is None or not in_force.rules:
        return None
    draft = program.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    rules = dict(in_force.rules)
    changes = {
        "amount_per_child": (65, "reg. 2(a)"),
        "income_limit": (2200, "reg. 2(b)"),
    }
    for name, text in rules.items():
        if not name.startswith("parameters/"):
            continue
        data = yaml.safe_load(text) or {}
        touched = False
        for key, (value, regulation) in changes.items():
            entry = data.get(key) if isinstance(data, dict) else None
            if isinstance(entry, dict) and isinstance(entry.get("values"), dict):
                entry["values"][date(2027, 1, 1)] = {
                    "value": value,
                    "reference": f"Draft Social Protection (Rates) Regulations 2027, {regulation}",
                }
                touched = True
        if touched:
            rules[name] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    with transaction.atomic():
        number = (program.versions.order_by("-number").first().number) + 1
        draft = ProgramVersion.objects.create(
            program=program,
            number=number,
            status=VersionStatus.DRAFT,
            effective_from=date(2027, 1, 1),
            rules=rules,
            form=in_force.form,
            legal_basis="Draft Social Protection (Rates) Regulations 2027",
        )
        audit.record(
            actor=ACTOR,
            action="programs:version:drafted",
            subject=draft,
            after={"number": number, "effective_from": draft.effective_from},
        )
    return draft


def _consultation() -> Consultation:
    existing = Consultation.objects.filter(slug=CONSULTATION_SLUG).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    draft = _draft_child_benefit()
    consultation = consultations.create_consultation(
        actor=ACTOR,
        slug=CONSULTATION_SLUG,
        title="Raising child benefit in 2027",
        summary="We propose a higher amount per child and a higher income limit. Tell us what "
        "you think, and see what it would change for your household.",
        program_version=draft,
        opens_on=today,
        closes_on=today + timedelta(days=42),
    )
    consultations.save_document(
        actor=ACTOR,
        consultation=consultation,
        slug="proposal",
        title="The proposal in full",
        body_html=DOCUMENT,
        position=1,
    )
    consultations.advance_phase(
        actor=ACTOR,
        consultation=consultation,
        target=Phase.INFORMATION,
        note="The draft regulations are published.",
    )
    consultation = consultations.advance_phase(
        actor=ACTOR,
        consultation=consultation,
        target=Phase.CONSULTATION,
        note="Comments, the survey and the opinion map are open for six weeks.",
    )
    if draft is not None:
        # with no population loaded yet, the policy team runs it later from the staff page
        with contextlib.suppress(ImpactError):
            consultations.run_impact(actor=ACTOR, consultation=consultation)
    return consultation


def _budget() -> Budget:
    existing = Budget.objects.filter(slug=BUDGET_SLUG).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    regions = {r.code: r for r in Region.objects.filter(code__in=PROJECTS)}
    budget = budgets.create_budget(
        actor=ACTOR,
        slug=BUDGET_SLUG,
        title="Participatory budget 2027",
        description="1.2 million CVT of next year's budget is yours to decide. Choose up to "
        "three projects in your district; the Method of Equal Shares makes sure every group "
        "of voters gets its fair share.",
        districts=[(regions[code], DISTRICT_AMOUNT[code]) for code in PROJECTS if code in regions],
        voting_opens_on=today,
        voting_closes_on=today + timedelta(days=28),
        ballot_format="approval",
        min_projects=1,
        max_projects=3,
        rule="mes",
        utility="cost",
        completion="add1",
    )
    for district in budget.districts.select_related("region"):
        for code, title, cost, category in PROJECTS[district.region.code]:
            budgets.add_project(
                actor=ACTOR,
                district=district,
                code=code,
                title=title,
                cost=cost,
                category=category,
            )
    if budget.status == BudgetStatus.DRAFT:
        budget = budgets.open_voting(actor=ACTOR, budget=budget)
    return budget


def _survey(consultation: Consultation) -> Survey:
    survey = surveys.create_survey(
        actor=ACTOR,
        slug=SURVEY_SLUG,
        title="Child benefit: your views",
        introduction="Four short questions. Only totals are published.",
        consultation=consultation,
        questions=[
            {
                "kind": "single",
                "text": "Is 65 CVT a month per child enough?",
                "choices": ["Too little", "About right", "Too much"],
            },
            {
                "kind": "multiple",
                "text": "What do you spend child benefit on?",
                "choices": ["Food", "Clothes", "School", "Health", "Rent", "Other"],
            },
            {
                "kind": "scale",
                "text": "How easy was it to apply for child benefit?",
                "scale_min": 1,
                "scale_max": 5,
                "scale_min_label": "Very hard",
                "scale_max_label": "Very easy",
                "required": False,
            },
            {
                "kind": "text",
                "text": "Anything else you want to tell us?",
                "required": False,
            },
        ],
    )
    if survey.status == OpenClosed.DRAFT:
        survey = surveys.change_status(actor=ACTOR, survey=survey, target=OpenClosed.OPEN)
    return survey


def _conversation(consultation: Consultation) -> Conversation:
    conversation = conversations.create_conversation(
        actor=ACTOR,
        slug=CONVERSATION_SLUG,
        topic="How should we support families with children?",
        description="Agree, disagree or pass on each statement, and add your own. The map "
        "shows groups of people who think alike, and where everyone agrees.",
        seed_statements=STATEMENTS,
        consultation=consultation,
    )
    if conversation.status == OpenClosed.DRAFT:
        conversation = conversations.change_status(
            actor=ACTOR, conversation=conversation, target=OpenClosed.OPEN
        )
    return conversation


def load_demo_participation() -> dict[str, str]:
    """One consultation (on a draft rule, with its impact), one participatory budget with
    projects in every region, one survey and one opinion-map conversation."""
    consultation = _consultation()
    budget = _budget()
    survey = _survey(consultation)
    conversation = _conversation(consultation)
    return {
        "consultation": consultation.slug,
        "budget": budget.slug,
        "survey": survey.slug,
        "conversation": conversation.slug,
    }
