"""Auditors search the trail and export it as CSV; the export is itself recorded."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from civitas.audit import services as audit
from civitas.audit.models import AuditEvent


def _events():
    for i, (actor, action) in enumerate(
        [
            ("ana@example.org", "payments:cycle:approved"),
            ("ben@example.org", "casework:decision:made"),
            ("ana@example.org", "casework:decision:made"),
        ]
    ):
        with transaction.atomic():
            audit.record(
                actor=actor,
                action=action,
                subject=("tests.thing", str(i)),
                before={"v": i},
                after={"v": i + 1},
            )


@pytest.fixture
def auditor(demo_country):
    from civitas.accounts.models import User

    return User.objects.get(email="auditor@demo.civitas.example")


@pytest.mark.django_db
def test_auditors_search_by_who_what_and_when(auditor, client):
    from civitas.accounts.testing import sign_in_staff

    _events()
    sign_in_staff(client, auditor)
    html = client.get(
        reverse("audit:search"), {"actor": "ana@example.org", "action": "casework:"}
    ).content.decode()
    assert "casework:decision:made" in html and "payments:cycle:approved" not in html
    verified = client.get(reverse("audit:search"), {"verify": "1"}).content.decode()
    assert "The chain is intact" in verified
    bad_date = client.get(reverse("audit:search"), {"since": "yesterday"}).content.decode()
    assert "Enter the date as YYYY-MM-DD" in bad_date


@pytest.mark.django_db
def test_the_export_is_csv_and_leaves_a_trace(auditor, client):
    from civitas.accounts.testing import sign_in_staff

    _events()
    sign_in_staff(client, auditor)
    response = client.get(reverse("audit:export"), {"action": "casework:decision"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["casework:decision:made"] * 2
    assert rows[0]["after"] == '{"v":2}' and len(rows[0]["hash"]) == 64
    assert AuditEvent.objects.filter(
        action="audit:trail:exported", actor_label=auditor.email
    ).exists()
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_only_auditors_read_the_trail(caseworker, client):
    from civitas.accounts.testing import sign_in_staff

    sign_in_staff(client, caseworker)
    assert client.get(reverse("audit:search")).status_code == 404
    assert client.get(reverse("audit:export")).status_code == 404


@pytest.mark.django_db
def test_the_command_line_exports_too(tmp_path, capsys):
    _events()
    out = tmp_path / "trail.csv"
    call_command("audit", "export", "--out", str(out), "--actor", "ben@example.org")
    assert "1 events written" in capsys.readouterr().out
    assert "casework:decision:made" in out.read_text()
