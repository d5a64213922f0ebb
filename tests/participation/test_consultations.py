"""Consultations: an explicit phase lifecycle, accessible documents, and the simulated impact of
draft rules over the registry — for everyone, and for a citizen's own household."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.lifecycles import TransitionNotAllowed
from civitas.participation.models import Consultation, PhaseChange
from civitas.participation.services import consultations as services
from civitas.programs.models import Program, ProgramVersion, VersionStatus
from tests.participation.helpers import assert_csp_friendly

pytestmark = pytest.mark.django_db


def test_phases_move_forward_one_step_at_a_time_and_are_audited(policy):
    consultation = services.create_consultation(
        actor=policy, slug="roads", title="Roads", summary="Road safety plan."
    )
    assert consultation.phase == "draft"
    with pytest.raises(services.ConsultationError, match="at least one document"):
        services.advance_phase(actor=policy, consultation=consultation, target="information")
    services.save_document(
        actor=policy,
        consultation=consultation,
        slug="plan",
        title="Plan",
        body_html="<h2>Plan</h2><p>Safer roads.</p>",
    )
    with pytest.raises(TransitionNotAllowed, match="cannot become"):
        services.advance_phase(actor=policy, consultation=consultation, target="consultation")
    for phase in ("information", "consultation", "deliberation"):
        consultation = services.advance_phase(actor=policy, consultation=consultation, target=phase)
    with pytest.raises(services.ConsultationError, match="what was decided"):
        services.advance_phase(actor=policy, consultation=consultation, target="decision")
    consultation = services.advance_phase(
        actor=policy, consultation=consultation, target="decision", note="We adopt the plan."
    )
    consultation = services.advance_phase(
        actor=policy, consultation=consultation, target="follow_up", note="Works started."
    )
    with pytest.raises(TransitionNotAllowed):
        services.advance_phase(actor=policy, consultation=consultation, target="draft")
    consultation.refresh_from_db()
    assert (consultation.phase, consultation.outcome) == ("follow_up", "We adopt the plan.")
    assert list(
        PhaseChange.objects.filter(consultation=consultation).values_list("phase", flat=True)
    ) == [
        "draft",
        "information",
        "consultation",
        "deliberation",
        "decision",
        "follow_up",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation:consultation:created", "participation:consultation:decision"} <= actions


def test_creating_twice_with_the_same_slug_makes_one_consultation(policy):
    first = services.create_consultation(actor=policy, slug="a", title="A", summary="A.")
    second = services.create_consultation(actor=policy, slug="a", title="B", summary="B.")
    assert first.pk == second.pk and Consultation.objects.count() == 1


def test_a_draft_consultation_is_the_same_404_as_a_missing_one(client, policy, citizen, sign_in):
    services.create_consultation(actor=policy, slug="secret", title="Secret", summary="Not yet.")
    assert client.get(reverse("participation:consultation", args=["secret"])).status_code == 404
    sign_in(client, citizen)
    draft = client.get(reverse("participation:consultation", args=["secret"]))
    missing = client.get(reverse("participation:consultation", args=["nothing-here"]))
    assert draft.status_code == missing.status_code == 404
    client.logout()
    sign_in(client, policy)
    assert client.get(reverse("participation:consultation", args=["secret"])).status_code == 200


def test_documents_keep_only_safe_accessible_structure(policy):
    consultation = services.create_consultation(actor=policy, slug="d", title="D", summary="D.")
    doc = services.save_document(
        actor=policy,
        consultation=consultation,
        slug="x",
        title="X",
        body_html='<h2 onclick="steal()">Intro</h2><p style="color:red">Read <a href="javascript:'
        'alert(1)">the rules of the scheme</a></p><script>alert(1)</script><p>a &lt; b</p>',
    )
    assert "script" not in doc.body_html and "onclick" not in doc.body_html
    assert "style" not in doc.body_html and "javascript" not in doc.body_html
    assert '<h2 class="govuk-heading-l">Intro</h2>' in doc.body_html
    assert "a &lt; b" in doc.body_html


def test_an_inaccessible_document_is_refused_with_what_to_fix(policy):
    consultation = services.create_consultation(actor=policy, slug="e", title="E", summary="E.")
    with pytest.raises(services.DocumentRefused) as refused:
        services.save_document(
            actor=policy,
            consultation=consultation,
            slug="bad",
            title="Bad",
            body_html='<h2>A</h2><h4>B</h4><table><tr><td>1</td></tr></table><a href="/x">click '
            "here</a>",
        )
    problems = " ".join(refused.value.problems)
    assert "skip heading levels" in problems
    assert "header cells" in problems
    assert "does not say where it goes" in problems
    assert not consultation.documents.exists()


def test_public_pages_show_the_consultation_and_its_documents(client, open_consultation):
    page = client.get(reverse("participation:consultation", args=["parks"]))
    html = page.content.decode()
    assert page.status_code == 200 and "Parks strategy" in html and "Draft strategy" in html
    assert_csp_friendly(page)
    doc = client.get(reverse("participation:document", args=["parks", "draft"]))
    assert "Parks matter." in doc.content.decode()
    hub = client.get(reverse("participation:index")).content.decode()
    assert "Parks strategy" in hub


# --- impact of a draft rule ---------------------------------------------------------------------
def _draft_child_benefit(amount: int) -> ProgramVersion:
    program = Program.objects.get(slug="child-benefit")
    in_force = program.version_in_force()
    rules = dict(in_force.rules)
    for name, text in rules.items():
        data = yaml.safe_load(text)
        if name.startswith("parameters/") and "amount_per_child" in data:
            data["amount_per_child"]["values"][date(2025, 6, 1)] = {
                "value": amount,
                "reference": "Draft regulations, reg. 1",
            }
            rules[name] = yaml.safe_dump(data, sort_keys=False)
    return ProgramVersion.objects.create(
        program=program,
        number=in_force.number + 1,
        status=VersionStatus.DRAFT,
        effective_from=date(2025, 6, 1),
        rules=rules,
        form=in_force.form,
    )


def _household(region: str, incomes: list[str], children: int, ref: str):
    from civitas.registry import services as registry
    from civitas.registry.models import Household, Person, Region
    from civitas.registry.national_id import make_national_id

    base = 97_000_000 + int(ref[-3:]) * 10
    people = [
        Person(
            national_id=make_national_id(base + i),
            given_name="P",
            family_name=ref,
            birth_date=date(1985, 1, 1),
            sex="male",
            monthly_income=Decimal(income),
        )
        for i, income in enumerate(incomes)
    ] + [
        Person(
            national_id=make_national_id(base + 5 + i),
            given_name="C",
            family_name=ref,
            birth_date=date(2018, 1, 1),
            sex="female",
        )
        for i in range(children)
    ]
    registry.bulk_add_households(
        actor="test",
        households=[Household(reference=ref, address="x", region=Region.objects.get(code=region))],
        persons=people,
        memberships=[(0, i, "adult" if i < len(incomes) else "child") for i in range(len(people))],
        source="test",
    )


def test_the_impact_of_a_draft_rule_is_simulated_over_the_registry(policy, citizen):
    # Amina's household (capital): 2 children, income 950 -> eligible, 2 x 55 now
    _household("north", ["3000"], 1, "H-IMP-001")  # income above the limit: nothing either way
    _household("north", ["400"], 3, "H-IMP-002")  # eligible: 3 children
    _household("south", ["800", "200"], 0, "H-IMP-003")  # no children: nothing either way
    draft = _draft_child_benefit(70)
    consultation = services.create_consultation(
        actor=policy, slug="cb", title="Child benefit", summary="More.", program_version=draft
    )
    run = services.run_impact(actor=policy, consultation=consultation, today=date(2026, 1, 15))
    summary = run.result["summary"]
    assert run.households == 4 and run.persons == 4 + 2 + 4 + 2
    assert (summary["gainers"], summary["losers"], summary["unchanged"]) == (2, 0, 2)
    assert summary["change_total"] == pytest.approx(15 * 2 + 15 * 3)
    assert summary["yearly_cost"] == pytest.approx(12 * 75)
    by_region = {r["region"]: r for r in run.result["by_region"]}
    assert by_region["capital"]["change_total"] == pytest.approx(30)
    assert by_region["north"]["gainers"] == 1 and by_region["north"]["households"] == 2
    assert sum(d["households"] for d in run.result["by_decile"]) == 4
    assert sum(d["change_total"] for d in run.result["by_decile"]) == pytest.approx(75)
    assert AuditEvent.objects.filter(action="participation:impact:computed").exists()


def test_a_draft_that_cannot_run_is_refused_and_nothing_is_stored(policy):
    from civitas.participation.impact import ImpactError

    program = Program.objects.get(slug="child-benefit")
    broken = ProgramVersion.objects.create(
        program=program,
        number=9,
        status=VersionStatus.DRAFT,
        effective_from=date(2026, 1, 1),
        rules={"programme.yaml": "name: child-benefit\noutputs: [nothing]\n"},
    )
    consultation = services.create_consultation(
        actor=policy, slug="broken", title="B", summary="B.", program_version=broken
    )
    with pytest.raises(ImpactError, match="cannot be loaded"):
        services.run_impact(actor=policy, consultation=consultation)
    assert not consultation.impact_runs.exists()


def test_the_impact_page_has_charts_with_tables_and_the_citizens_own_household(
    client, policy, citizen, sign_in
):
    draft = _draft_child_benefit(70)
    consultation = services.create_consultation(
        actor=policy, slug="cb", title="Child benefit", summary="More.", program_version=draft
    )
    services.save_document(
        actor=policy, consultation=consultation, slug="d", title="D", body_html="<p>Text.</p>"
    )
    services.advance_phase(actor=policy, consultation=consultation, target="information")
    services.run_impact(actor=policy, consultation=consultation)
    url = reverse("participation:impact", args=["cb"])

    response = client.get(url)
    assert_csp_friendly(response)
    anonymous = response.content.decode()
    assert anonymous.count("<svg") == 3 and anonymous.count('<table class="govuk-table') == 3
    assert 'role="img"' in anonymous and "<title id=" in anonymous
    assert "Sign in to see what the draft would change" in anonymous

    sign_in(client, citizen)
    mine = client.get(url).content.decode()
    # Amina: 2 children, 55 -> 70 each
    assert re.search(r"110\.00 CVT", mine) and re.search(r"140\.00 CVT", mine)
    assert "+30.00 CVT" in mine


def test_staff_run_a_consultation_from_the_back_office(client, policy, sign_in):
    draft = _draft_child_benefit(60)
    sign_in(client, policy)
    form = client.get(reverse("participation:staff-consultation-new"))
    assert "Draft rules: Child benefit" in form.content.decode()
    created = client.post(
        reverse("participation:staff-consultation-new"),
        {"title": "Child benefit 2026", "summary": "A little more.", "subject": str(draft.pk)},
    )
    consultation = Consultation.objects.get()
    assert created.status_code == 302 and consultation.program_version == draft
    manage = reverse("participation:staff-consultation", args=[consultation.slug])

    refused = client.post(
        manage,
        {"action": "document", "doc-title": "Bad", "doc-body_html": "<h3>Skipped a level</h3>"},
    )
    assert refused.status_code == 400 and "skip heading levels" in refused.content.decode()
    client.post(
        manage,
        {"action": "document", "doc-title": "Proposal", "doc-body_html": "<h2>What</h2><p>X</p>"},
    )
    client.post(manage, {"action": "impact"})
    client.post(manage, {"action": "phase", "target": "information", "phase-note": "Published."})
    consultation.refresh_from_db()
    assert consultation.phase == "information"
    assert consultation.documents.count() == 1 and consultation.impact_runs.count() == 1
    client.logout()
    assert client.get(reverse("participation:impact", args=[consultation.slug])).status_code == 200


def test_a_new_programme_is_compared_with_nothing(policy, citizen):
    from civitas.programs import services as programs

    existing = Program.objects.get(slug="child-benefit").version_in_force()
    program = programs.create_program(
        actor=policy,
        slug="new-child-grant",
        name="New child grant",
        summary="New.",
        who_can_apply="Families.",
        what_you_need="Nothing.",
        how_long="A week.",
        what_happens_next="We pay.",
    )
    draft = ProgramVersion.objects.create(
        program=program,
        number=1,
        status=VersionStatus.DRAFT,
        effective_from=date(2026, 1, 1),
        rules=existing.rules,
        form=existing.form,
    )
    consultation = services.create_consultation(
        actor=policy, slug="grant", title="Grant", summary="New.", program_version=draft
    )
    run = services.run_impact(actor=policy, consultation=consultation, today=date(2026, 1, 15))
    assert run.baseline == "nothing in force"
    # Amina's household: 2 children at 55 a month, all of it new
    assert run.result["summary"]["gainers"] == 1
    assert run.result["summary"]["change_total"] == pytest.approx(110)
