"""The studio's lifecycle: drafting from a template, editing with an optimistic lock, tests as a
gate, four-eyes approval, immutability and scheduling."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from civitas.audit.models import AuditEvent
from civitas.programs import versioning
from civitas.programs.models import Program, ProgramVersion, VersionStatus
from civitas.studio import selectors, services
from civitas.studio.errors import StudioRefused

CASE = {
    "name": "A couple in the south with a low income",
    "period": None,
    "situation": (
        "household: {adults: [ana, ben], region: south}\n"
        "persons:\n  ana: {birth: 1980-01-01, income: 100}\n  ben: {birth: 1981-01-01, income: 0}\n"
    ),
    "expected": "amount: 140\neligible: true\n",
}


def _case(version, actor, **changes):
    body = CASE | {"period": version.effective_from.strftime("%Y-%m")} | changes
    return services.add_case(actor=actor, version=version, revision=version.studio.revision, **body)


def _fresh(version):
    return ProgramVersion.objects.select_related("studio", "program").get(pk=version.pk)


def test_a_template_draft_loads_and_its_tests_pass(flood_draft):
    assert flood_draft.status == VersionStatus.DRAFT
    assert not Program.objects.get(slug="flood-relief").is_published
    report = selectors.run_tests(flood_draft)
    assert report.all_pass and len(report.results) == 2
    assert AuditEvent.objects.filter(action="studio:version:drafted").count() == 1


def test_a_second_save_from_a_stale_revision_is_refused(flood_draft, author, second_author):
    opened = flood_draft.studio.revision
    files = dict(flood_draft.rules)
    files["parameters/emergency.yaml"] = files["parameters/emergency.yaml"].replace(
        "value: 100", "value: 120"
    )
    services.save_rules(actor=author, version=flood_draft, revision=opened, files=files)
    theirs = dict(files)
    theirs["programme.yaml"] += "# the second author's note\n"
    with pytest.raises(StudioRefused, match="Someone else saved this version"):
        services.save_rules(actor=second_author, version=flood_draft, revision=opened, files=theirs)
    saved = _fresh(flood_draft)
    assert "value: 120" in saved.rules["parameters/emergency.yaml"]
    assert "second author" not in saved.rules["programme.yaml"]
    assert saved.studio.revision == opened + 1


def test_saving_rules_that_do_not_load_keeps_the_text_and_names_file_and_line(flood_draft, author):
    files = dict(flood_draft.rules)
    files["variables/emergency.yaml"] = files["variables/emergency.yaml"].replace(
        "formula: in_listed_region and", "formula: in_listed_regoin and"
    )
    checked = services.save_rules(
        actor=author, version=flood_draft, revision=flood_draft.studio.revision, files=files
    )
    assert not checked.ok
    [problem] = checked.problems["variables/emergency.yaml"]
    assert problem.startswith("line ") and "in_listed_regoin" in problem
    assert "in_listed_regoin" in _fresh(flood_draft).rules["variables/emergency.yaml"]
    with pytest.raises(StudioRefused, match="do not load"):
        services.submit_for_review(actor=author, version=_fresh(flood_draft))


def test_a_failing_case_blocks_review_and_is_explained(flood_draft, author):
    _case(flood_draft, author, expected="amount: 999\n")
    report = selectors.run_tests(_fresh(flood_draft))
    [failing] = [r for r in report.results if not r.passed]
    assert "amount" in " ".join(failing.failures)
    assert any("emergency.amount_per_household" in line["text"] for line in failing.explanation)
    with pytest.raises(StudioRefused, match="1 of its tests fail"):
        services.submit_for_review(actor=author, version=_fresh(flood_draft))
    assert _fresh(flood_draft).status == VersionStatus.DRAFT


def test_a_version_without_tests_cannot_go_to_review(flood_draft, author):
    files = {k: v for k, v in flood_draft.rules.items() if not k.startswith("tests/")}
    services.save_rules(
        actor=author, version=flood_draft, revision=flood_draft.studio.revision, files=files
    )
    with pytest.raises(StudioRefused, match="no tests"):
        services.submit_for_review(actor=author, version=_fresh(flood_draft))


def test_an_author_cannot_approve_their_own_version(flood_draft, author_and_approver):
    services.save_details(
        actor=author_and_approver,
        version=flood_draft,
        revision=flood_draft.studio.revision,
        effective_from=flood_draft.effective_from,
        legal_basis="Flood Emergency Decree 2026",
        language="fr",
        texts={"name": "Aide inondations", "summary": "Une aide d'urgence."},
    )
    version = _fresh(flood_draft)
    assert version.studio.texts["fr"]["name"] == "Aide inondations"
    services.submit_for_review(actor=author_and_approver, version=version)
    with pytest.raises(StudioRefused, match="someone else must approve"):
        services.approve(actor=author_and_approver, version=_fresh(flood_draft))
    assert _fresh(flood_draft).status == VersionStatus.IN_REVIEW


def test_approved_versions_are_scheduled_then_immutable_and_activated_on_their_date(
    flood_draft, author, approver, start
):
    _case(flood_draft, author)
    services.submit_for_review(actor=author, version=_fresh(flood_draft))
    with pytest.raises(StudioRefused, match="can no longer be changed"):
        _case(_fresh(flood_draft), author)
    assert services.approve(actor=approver, version=_fresh(flood_draft)) == "scheduled"
    version = _fresh(flood_draft)
    assert version.status == VersionStatus.SCHEDULED
    with pytest.raises(StudioRefused, match="can no longer be changed"):
        services.save_rules(
            actor=author, version=version, revision=version.studio.revision, files={}
        )
    assert services.activate_due(actor="scheduler", today=start - timedelta(days=1)) == []
    [done] = services.activate_due(actor="scheduler", today=start)
    assert done.pk == version.pk
    program = Program.objects.get(slug="flood-relief")
    assert program.version_in_force().pk == version.pk and program.is_published
    assert services.activate_due(actor="scheduler", today=start) == []  # nothing twice
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"programs:version:approved", "programs:version:scheduled"} <= actions
    assert "programs:version:in_force" in actions


def test_a_version_dated_in_the_past_cannot_be_approved(flood_draft, author, approver):
    services.submit_for_review(actor=author, version=flood_draft)
    ProgramVersion.objects.filter(pk=flood_draft.pk).update(
        effective_from=date.today() - timedelta(days=1)
    )
    with pytest.raises(StudioRefused, match="take effect in the past"):
        services.approve(actor=approver, version=_fresh(flood_draft))


def test_returning_a_version_makes_it_editable_again(flood_draft, author, approver):
    services.submit_for_review(actor=author, version=flood_draft)
    with pytest.raises(StudioRefused, match="Say what should change"):
        services.return_for_changes(actor=approver, version=_fresh(flood_draft), comment=" ")
    services.return_for_changes(
        actor=approver, version=_fresh(flood_draft), comment="Cover the east too."
    )
    assert _fresh(flood_draft).status == VersionStatus.DRAFT
    assert flood_draft.reviews.get().comment == "Cover the east too."


def test_a_top_up_of_child_benefit_goes_in_force_today_and_retires_the_old_version(
    author, approver
):
    program = Program.objects.get(slug="child-benefit")
    old = program.version_in_force()
    today = date.today()
    draft = services.start_version(
        actor=author,
        program=program,
        template="top_up",
        start=today,
        end=today + timedelta(days=60),
        reference="Cost of Living Decree 2026, art. 1",
    )
    assert "variables/top_up.yaml" in draft.rules
    services.submit_for_review(actor=author, version=draft)
    assert services.approve(actor=approver, version=_fresh(draft)) == "in_force"
    assert program.version_in_force().pk == draft.pk
    old.refresh_from_db()
    assert old.status == VersionStatus.RETIRED


def test_the_lifecycle_table_refuses_skipping_review(flood_draft):
    with pytest.raises(versioning.TransitionRefused):
        versioning.change_status(actor=None, version=flood_draft, to=VersionStatus.APPROVED)
    assert not versioning.allowed(VersionStatus.RETIRED, VersionStatus.IN_FORCE)


def test_only_policy_authors_draft(caseworker, start):
    with pytest.raises(StudioRefused):
        services.start_emergency_programme(
            actor=caseworker, slug="x", name="X", start=start, end=start, reference="r"
        )


def test_a_form_that_is_not_json_is_refused_with_its_line(flood_draft, author):
    with pytest.raises(StudioRefused, match="line 2"):
        services.save_form(
            actor=author,
            version=flood_draft,
            revision=flood_draft.studio.revision,
            form_text='{\n  "questions": [,]\n}',
        )
