"""The demo content: one consultation on a draft rule (with its simulated impact), one
participatory budget with projects in every region, one survey and one conversation — loaded
twice without doing anything twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civitas.audit.services import verify_chain
from civitas.participation.demo import load_demo_participation
from civitas.participation.models import Budget, Consultation, Conversation, Project, Survey
from civitas.registry.models import Region
from tests.participation.helpers import main_of

pytestmark = pytest.mark.django_db


def test_demo_content_loads_once_and_every_page_shows(client, demo_country, citizen, sign_in):
    first = load_demo_participation()
    second = load_demo_participation()
    assert first == second
    assert (Consultation.objects.count(), Budget.objects.count()) == (1, 1)
    assert (Survey.objects.count(), Conversation.objects.count()) == (1, 1)
    consultation = Consultation.objects.get()
    assert consultation.phase == "consultation" and consultation.program_version.status == "draft"
    assert consultation.impact_runs.count() == 1, "simulated over the demo registry"
    budget = Budget.objects.get()
    assert budget.status == "open"
    assert set(budget.districts.values_list("region__code", flat=True)) == set(
        Region.objects.values_list("code", flat=True)
    )
    assert Project.objects.filter(district__budget=budget).count() >= 15
    assert verify_chain().ok

    sign_in(client, citizen)
    for url in (
        reverse("participation:index"),
        reverse("participation:consultation", args=[first["consultation"]]),
        reverse("participation:impact", args=[first["consultation"]]),
        reverse("participation:budget", args=[first["budget"]]),
        reverse("participation:vote", args=[first["budget"]]),
        reverse("participation:survey", args=[first["survey"]]),
        reverse("participation:conversation", args=[first["conversation"]]),
        reverse("participation:opinion-map", args=[first["conversation"]]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    vote = main_of(client.get(reverse("participation:vote", args=[first["budget"]])))
    assert "Capital District" in vote, "Amina lives in the capital and votes there"
    impact = main_of(client.get(reverse("participation:impact", args=[first["consultation"]])))
    assert "+20.00 CVT" in impact, "Amina's two children: 55 -> 65 each"
