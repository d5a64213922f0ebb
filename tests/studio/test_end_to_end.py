"""The studio's promise end to end: an emergency programme approved and scheduled today takes
effect on its date through the periodic job, the portal lists it, proactive enrolment invites the
households that qualify, and the next payment cycle pays its beneficiaries with its rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from civitas.casework.models import Invitation
from civitas.casework.services import enrolment, proactive
from civitas.payments.models import Entitlement
from civitas.payments.services import cycles
from civitas.programs.models import Program, VersionStatus
from civitas.studio import services


@pytest.mark.django_db
def test_scheduled_today_in_force_on_its_date_listed_invited_and_paid(
    client,
    demo_country,
    author,
    approver,
    flood_draft,
    start,
    django_capture_on_commit_callbacks,
    simulate_now,
):
    demo_country.populate(households=300, seed=11)
    month = start.strftime("%Y-%m")
    simulated = simulate_now(actor=author, version=flood_draft, period=month)
    assert simulated.status == "done", simulated.message
    assert simulated.report["gainers"] > 0

    # approved today, dated a week ahead: scheduled, not yet public
    services.submit_for_review(actor=author, version=flood_draft)
    assert services.approve(actor=approver, version=flood_draft) == VersionStatus.SCHEDULED
    assert "Flood relief" not in client.get(reverse("programs:catalogue")).content.decode()
    out = StringIO()
    call_command("studio", "activate-due", stdout=out)  # today: not due yet
    assert "0 version(s) put in force" in out.getvalue()

    # its date comes: the periodic job's command puts it in force (and only once)
    out = StringIO()
    call_command("studio", "activate-due", "--date", start.isoformat(), stdout=out)
    assert "flood-relief v1: in force" in out.getvalue()
    call_command("studio", "activate-due", "--date", start.isoformat(), stdout=StringIO())
    program = Program.objects.get(slug="flood-relief")
    assert program.version_in_force().pk == flood_draft.pk and program.is_published

    # the portal lists it and its start page opens
    assert "Flood relief" in client.get(reverse("programs:catalogue")).content.decode()
    assert client.get(reverse("programs:start", args=["flood-relief"])).status_code == 200

    # proactive enrolment invites exactly the households the simulation found gaining
    with django_capture_on_commit_callbacks(execute=True):
        run = proactive.start_run(program=program, period=month, actor="command line (test)")
    run.refresh_from_db()
    assert run.status == "done", run.message
    assert run.invited == simulated.report["gainers"] > 0
    invitations = list(Invitation.objects.filter(program=program))

    # the invited households enrol; the next payment cycle pays them with the new rules
    enrolled = enrolment.bulk_enrol(
        program=program,
        rows=[(i.person_id, i.household_id, f"+25570{i.pk:07d}") for i in invitations],
        source="proactive",
        actor="command line (test)",
        started_on=start,
    )
    assert enrolled == len(invitations)
    outcome = cycles.compute_cycle(program=program, period=month, actor="command line (test)")
    cycle = outcome.cycle
    assert cycle.version_id == flood_draft.pk
    assert cycle.beneficiaries == len(invitations) == cycle.eligible
    expected = sum(Decimal(str(i.amount)) for i in invitations)
    assert cycle.total_amount == expected
    assert Decimal(str(simulated.report["reform_total"])).quantize(Decimal("0.01")) == expected
    assert Entitlement.objects.filter(cycle=cycle, amount__gt=0).count() == len(invitations)

    # a month after the emergency ends, the same rules pay nobody
    after = (start + timedelta(days=130)).strftime("%Y-%m")
    later = cycles.compute_cycle(program=program, period=after, actor="command line (test)")
    assert later.cycle.total_amount == 0
