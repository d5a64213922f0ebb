"""Opinion-map conversations on the web: participants agree, disagree or pass on short
statements and add their own (moderated); the map, computed by the core, is drawn on the server
with its groups, representative statements and consensus statements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civitas.accounts import services as accounts
from civitas.participation.models import Statement, StatementVote
from civitas.participation.services import conversations as services
from civitas.participation.services import moderation
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db

STATEMENTS = [
    "Parks should close at night.",
    "Dogs should be on a lead in parks.",
    "Parks need more lighting.",
    "Barbecues should be allowed in parks.",
    "Parks should be kept clean.",
]


@pytest.fixture
def conversation(policy):
    made = services.create_conversation(
        actor=policy, slug="parks-talk", topic="Our parks", seed_statements=STATEMENTS
    )
    return services.change_status(actor=policy, conversation=made, target="open")


def _statement(text: str) -> Statement:
    return Statement.objects.get(text=text)


def test_participants_vote_one_statement_at_a_time(client, conversation, citizen, sign_in):
    sign_in(client, citizen)
    url = reverse("participation:conversation", args=["parks-talk"])
    page = client.get(url)
    assert_csp_friendly(page)
    html = main_of(page)
    assert "Statement 0 of 5 answered" in html
    first = next(s for s in STATEMENTS if s in html)
    statement = _statement(first)
    client.post(
        reverse("participation:statement-vote", args=["parks-talk", statement.pk]), {"value": "1"}
    )
    assert StatementVote.objects.get(participant=citizen).value == 1
    html = main_of(client.get(url))
    assert "Statement 1 of 5 answered" in html and first not in html.split("<form")[0]
    services.vote(participant=citizen, statement=statement, value=-1)
    assert StatementVote.objects.get(participant=citizen).value == -1, "voting again changes it"
    bad = client.post(
        reverse("participation:statement-vote", args=["parks-talk", statement.pk]), {"value": "7"}
    )
    assert bad.status_code == 400 and "agree, disagree or pass" in bad.content.decode()


def test_own_statements_are_moderated_and_duplicates_refused(
    client, conversation, citizen, policy, sign_in
):
    sign_in(client, citizen)
    url = reverse("participation:statement-add", args=["parks-talk"])
    client.post(url, {"text": "Parks need public toilets.", "idempotency_key": "t1"})
    added = Statement.objects.get(text="Parks need public toilets.")
    assert added.status == "held" and not added.is_seed
    with pytest.raises(services.ConversationRefused, match="not open for votes"):
        services.vote(participant=citizen, statement=added, value=1)
    moderation.moderate(actor=policy, kind="statement", object_id=added.pk, action="approve")
    services.vote(participant=citizen, statement=added, value=1)

    duplicate = client.post(url, {"text": "parks need public   toilets.", "idempotency_key": "t2"})
    assert (
        duplicate.status_code == 400 and "already in the conversation" in duplicate.content.decode()
    )
    too_long = client.post(url, {"text": "x" * 300, "idempotency_key": "t3"})
    assert too_long.status_code == 400 and "280 characters or fewer" in too_long.content.decode()


def test_the_map_shows_groups_representative_and_consensus_statements(
    client, conversation, sign_in
):
    people = [
        accounts.create_citizen(email=f"p{i}@example.org", password="long-password-123")
        for i in range(10)
    ]
    s = [_statement(t) for t in STATEMENTS]
    for i, person in enumerate(people):
        side = 1 if i < 5 else -1  # two camps on the first four statements
        for statement, vote in zip(s, [side, side, -side, -side, 1], strict=True):
            services.vote(participant=person, statement=statement, value=vote)

    sign_in(client, people[0])
    page = client.get(reverse("participation:opinion-map", args=["parks-talk"]))
    assert_csp_friendly(page)
    html = main_of(page)
    assert "10 of 10 participants" in html and "They form 2 groups" in html
    assert html.count("<circle") >= 10 and 'role="img"' in html
    assert "You are in Group" in html
    consensus = html.split("Where people agree")[1].split("All statements")[0]
    assert "Parks should be kept clean." in consensus
    assert "Parks should close at night." in html.split("What sets Group A apart")[1]


def test_a_map_with_too_few_participants_says_why(client, conversation, citizen):
    services.vote(participant=citizen, statement=_statement(STATEMENTS[0]), value=1)
    html = main_of(client.get(reverse("participation:opinion-map", args=["parks-talk"])))
    assert "at least three participants" in html
    assert "Parks should close at night." in html, "the vote counts are shown anyway"


def test_a_draft_conversation_is_a_404(client, policy):
    services.create_conversation(actor=policy, slug="later", topic="Later")
    assert client.get(reverse("participation:conversation", args=["later"])).status_code == 404
