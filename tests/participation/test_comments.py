"""Comments: threaded, endorsed once, first posts held for review, rate-limited, and moderated in
the open — hidden with a public reason and listed in the moderation log."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from civitas.audit.models import AuditEvent
from civitas.participation.antispam import RateLimited
from civitas.participation.models import Comment, ModerationEntry, Report
from civitas.participation.services import comments as services
from civitas.participation.services import moderation
from tests.participation.helpers import assert_csp_friendly, main_of

pytestmark = pytest.mark.django_db


def post(client, slug: str, body: str, key: str = ""):
    return client.post(
        reverse("participation:comment", args=[slug]),
        {"body": body, "idempotency_key": key or f"k-{body[:10]}"},
    )


def test_a_first_comment_is_held_for_review_then_published_by_a_moderator(
    client, open_consultation, citizen, other_citizen, policy, sign_in
):
    sign_in(client, citizen)
    response = post(client, "parks", "More benches, please.")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == "held"
    page = main_of(client.get(reverse("participation:consultation", args=["parks"])))
    assert "More benches, please." in page and "Waiting for review" in page

    client.logout()
    sign_in(client, other_citizen)
    assert "More benches" not in main_of(
        client.get(reverse("participation:consultation", args=["parks"]))
    ), "held posts are seen only by their author and moderators"

    moderation.moderate(
        actor=policy, kind="comment", object_id=comment.pk, action="approve", public_reason=""
    )
    assert "More benches" in main_of(
        client.get(reverse("participation:consultation", args=["parks"]))
    )
    client.logout()
    sign_in(client, citizen)
    post(client, "parks", "And more trees.")
    assert Comment.objects.get(body="And more trees.").status == "published", "trusted now"


def test_the_same_idempotency_key_makes_one_comment(client, open_consultation, citizen, sign_in):
    sign_in(client, citizen)
    post(client, "parks", "Once only.", key="same")
    post(client, "parks", "Once only.", key="same")
    assert Comment.objects.count() == 1


@override_settings(PARTICIPATION_POSTS_PER_HOUR=2)
def test_posting_beyond_the_hourly_limit_is_refused_and_the_text_is_kept(
    client, open_consultation, citizen, sign_in
):
    sign_in(client, citizen)
    post(client, "parks", "First thought.")
    post(client, "parks", "Second thought.")
    refused = post(client, "parks", "Third thought, lost?")
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "2 times in the last hour" in html
    assert "Third thought, lost?" in html, "nothing the person wrote is lost"
    assert Comment.objects.count() == 2


def test_replies_are_threaded_and_endorsed_once(
    client, open_consultation, citizen, other_citizen, trusted, sign_in
):
    trusted(citizen, open_consultation)
    trusted(other_citizen, open_consultation)
    parent = services.post_comment(
        author=citizen,
        consultation=open_consultation,
        body="Open the park at night?",
        idempotency_key="p",
    ).comment
    sign_in(client, other_citizen)
    form = client.get(reverse("participation:reply", args=[parent.pk]))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    client.post(
        reverse("participation:reply", args=[parent.pk]),
        {"body": "Only in summer.", "idempotency_key": key},
    )
    reply = Comment.objects.get(body="Only in summer.")
    assert (reply.parent_id, reply.depth, reply.status) == (parent.pk, 1, "published")

    for _ in range(2):
        client.post(reverse("participation:endorse", args=[parent.pk]))
    parent.refresh_from_db()
    assert parent.endorsement_count == 1
    client.post(reverse("participation:endorse", args=[parent.pk]), {"action": "withdraw"})
    parent.refresh_from_db()
    assert parent.endorsement_count == 0

    with pytest.raises(services.CommentRefused, match="your own"):
        services.endorse(user=citizen, comment=parent)
    page = client.get(reverse("participation:consultation", args=["parks"]))
    assert_csp_friendly(page)
    html = main_of(page)
    assert html.index("Open the park at night?") < html.index("Only in summer.")


def test_replies_never_nest_deeper_than_three_levels(open_consultation, citizen, trusted):
    trusted(citizen, open_consultation)
    parent = None
    for level in range(5):
        parent = services.post_comment(
            author=citizen,
            consultation=open_consultation,
            parent=parent,
            body=f"Level {level}",
            idempotency_key=f"l{level}",
        ).comment
    assert max(Comment.objects.values_list("depth", flat=True)) == 2


def test_a_reported_comment_hidden_by_a_moderator_shows_the_public_reason(
    client, open_consultation, citizen, other_citizen, policy, trusted, sign_in
):
    trusted(citizen, open_consultation)
    bad = services.post_comment(
        author=citizen,
        consultation=open_consultation,
        body="Call my neighbour at 555-0100, he is a thief.",
        idempotency_key="bad",
    ).comment
    sign_in(client, other_citizen)
    client.post(
        reverse("participation:report", args=["comment", bad.pk]),
        {"reason": "personal_data", "details": "A phone number."},
    )
    assert Report.objects.filter(object_id=bad.pk, resolved_at__isnull=True).count() == 1

    with pytest.raises(moderation.ModerationRefused, match="public reason"):
        moderation.moderate(actor=policy, kind="comment", object_id=bad.pk, action="hide")
    client.logout()
    sign_in(client, policy)
    queue = main_of(client.get(reverse("participation:staff-moderation")))
    assert "555-0100" in queue
    client.post(
        reverse("participation:staff-moderate", args=["comment", bad.pk]),
        {"action": "hide", "public_reason": "Rule 2: it shares someone's personal information."},
    )
    bad.refresh_from_db()
    assert bad.status == "hidden"
    assert not Report.objects.filter(resolved_at__isnull=True).exists()

    client.logout()
    page = main_of(client.get(reverse("participation:consultation", args=["parks"])))
    assert "555-0100" not in page
    assert "Rule 2: it shares someone&#x27;s personal information." in page
    log = main_of(client.get(reverse("participation:moderation-log")))
    assert "Rule 2" in log and "Hidden" in log
    assert ModerationEntry.objects.get().moderator == policy
    assert AuditEvent.objects.filter(action="participation:comment:hide").exists()

    moderation.moderate(actor=policy, kind="comment", object_id=bad.pk, action="restore")
    assert "555-0100" in main_of(client.get(reverse("participation:consultation", args=["parks"])))


def test_citizens_cannot_moderate_and_staff_pages_are_a_404_for_them(
    client, open_consultation, citizen, sign_in
):
    comment = services.post_comment(
        author=citizen, consultation=open_consultation, body="Hello there.", idempotency_key="h"
    ).comment
    with pytest.raises(PermissionDenied):
        moderation.moderate(actor=citizen, kind="comment", object_id=comment.pk, action="approve")
    sign_in(client, citizen)
    assert client.get(reverse("participation:staff-moderation")).status_code == 404
    assert client.get(reverse("participation:staff")).status_code == 404


def test_comments_are_closed_outside_the_consultation_phases(policy, citizen):
    from civitas.participation.services import consultations

    consultation = consultations.create_consultation(
        actor=policy, slug="info", title="Info", summary="Only information."
    )
    with pytest.raises(services.CommentRefused, match="closed"):
        services.post_comment(
            author=citizen, consultation=consultation, body="Early bird.", idempotency_key="e"
        )


def test_rate_limit_also_applies_in_the_service(open_consultation, citizen, settings):
    settings.PARTICIPATION_POSTS_PER_HOUR = 1
    services.post_comment(
        author=citizen, consultation=open_consultation, body="One.", idempotency_key="1"
    )
    with pytest.raises(RateLimited):
        services.post_comment(
            author=citizen, consultation=open_consultation, body="Two.", idempotency_key="2"
        )


def test_the_moderation_policy_is_published(client):
    page = client.get(reverse("participation:moderation-policy"))
    html = main_of(page)
    assert page.status_code == 200 and "What is not allowed" in html and "first post" in html
