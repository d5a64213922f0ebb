"""Opinion-map conversations: statements (moderated like comments) and agree/disagree/pass votes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation.antispam import check_rate, needs_review
from civitas.participation.lifecycles import CONVERSATION, Contribution, OpenClosed
from civitas.participation.models import Consultation, Conversation, Statement, StatementVote
from civitas.participation.models.conversations import STATEMENT_MAX, Opinion
from civitas.participation.permissions import is_citizen


class ConversationRefused(ValueError):
    """The statement or vote cannot be recorded; the message says why."""


@dataclass(frozen=True)
class StatementOutcome:
    statement: Statement
    created: bool


@transaction.atomic
def create_conversation(
    *,
    actor,
    slug: str,
    topic: str,
    description: str = "",
    seed_statements: list[str] = (),
    consultation: Consultation | None = None,
    participants_may_add: bool = True,
) -> Conversation:
    """A draft conversation with the organisers' first statements; the slug makes it idempotent."""
    slug = slugify(slug)[:80]
    existing = Conversation.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    if not topic.strip():
        raise ConversationRefused(_("Enter the conversation's topic."))
    conversation = Conversation.objects.create(
        slug=slug,
        topic=topic.strip(),
        description=description.strip(),
        consultation=consultation,
        participants_may_add=participants_may_add,
    )
    now = timezone.now()
    texts = list(dict.fromkeys(t.strip() for t in seed_statements if t.strip()))
    for text in texts:
        if len(text) > STATEMENT_MAX:
            raise ConversationRefused(
                _("Statements must be %(max)s characters or fewer.") % {"max": STATEMENT_MAX}
            )
    Statement.objects.bulk_create(
        [
            Statement(
                conversation=conversation,
                text=text,
                is_seed=True,
                status=Contribution.PUBLISHED,
                created_at=now,
            )
            for text in texts
        ]
    )
    audit.record(
        actor=actor,
        action="participation:conversation:created",
        subject=conversation,
        after={"slug": slug, "topic": conversation.topic, "seed_statements": len(texts)},
    )
    return conversation


@transaction.atomic
def update_conversation(
    *,
    actor,
    conversation: Conversation,
    topic: str,
    description: str = "",
    consultation: Consultation | None = None,
    participants_may_add: bool = True,
) -> Conversation:
    """Change a conversation's topic and settings before it opens."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status != OpenClosed.DRAFT:
        raise ConversationRefused(
            _("The conversation is “%(status)s”: its topic and settings can no longer change.")
            % {"status": locked.get_status_display()}
        )
    if not topic.strip():
        raise ConversationRefused(_("Enter the conversation's topic."))
    fields = ("topic", "description", "consultation_id", "participants_may_add")
    before = {f: getattr(locked, f) for f in fields}
    locked.topic, locked.description = topic.strip(), description.strip()
    locked.consultation = consultation
    locked.participants_may_add = participants_may_add
    locked.save(update_fields=["topic", "description", "consultation", "participants_may_add"])
    after = {f: getattr(locked, f) for f in fields}
    audit.record(
        actor=actor,
        action="participation:conversation:updated",
        subject=locked,
        before=before,
        after=after,
    )
    return locked


@transaction.atomic
def add_seed_statements(*, actor, conversation: Conversation, texts: list[str]) -> int:
    """The organisers' own statements, published at once; allowed until the conversation closes.

    Every statement is checked before any is stored; one already in the conversation is refused
    by name. Returns how many were added."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == OpenClosed.CLOSED:
        raise ConversationRefused(_("The conversation is closed: it takes no new statements."))
    cleaned = list(dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()))
    if not cleaned:
        raise ConversationRefused(_("Write at least one statement, one per line."))
    existing = {t.casefold() for t in locked.statements.values_list("text", flat=True)}
    seen: set[str] = set()
    for text in cleaned:
        if len(text) > STATEMENT_MAX:
            raise ConversationRefused(
                _("“%(text)s…” is too long: statements must be %(max)s characters or fewer.")
                % {"text": text[:40], "max": STATEMENT_MAX}
            )
        if text.casefold() in existing or text.casefold() in seen:
            raise ConversationRefused(
                _("“%(text)s” is already in the conversation.") % {"text": text}
            )
        seen.add(text.casefold())
    now = timezone.now()
    Statement.objects.bulk_create(
        [
            Statement(
                conversation=locked,
                text=text,
                is_seed=True,
                status=Contribution.PUBLISHED,
                created_at=now,
            )
            for text in cleaned
        ]
    )
    audit.record(
        actor=actor,
        action="participation:conversation:seeded",
        subject=locked,
        after={"statements": cleaned},
    )
    return len(cleaned)


@transaction.atomic
def change_status(*, actor, conversation: Conversation, target: str) -> Conversation:
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    CONVERSATION.check(locked.status, target)
    if (
        target == OpenClosed.OPEN
        and not locked.statements.filter(status=Contribution.PUBLISHED).exists()
    ):
        raise ConversationRefused(_("Add at least one statement before opening the conversation."))
    before = {"status": locked.status}
    locked.status = target
    if target == OpenClosed.CLOSED:
        locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor,
        action=f"participation:conversation:{target}",
        subject=locked,
        before=before,
        after={"status": target},
    )
    return locked


def add_statement(
    *, author, conversation: Conversation, text: str, idempotency_key: str
) -> StatementOutcome:
    """A participant's own statement: held for a moderator if it is their first post."""
    existing = Statement.objects.filter(author=author, idempotency_key=idempotency_key).first()
    if existing is not None and idempotency_key:
        return StatementOutcome(existing, created=False)
    if not is_citizen(author):
        raise ConversationRefused(_("Statements are added from a citizen account."))
    if conversation.status != OpenClosed.OPEN or not conversation.participants_may_add:
        raise ConversationRefused(_("This conversation is not taking new statements."))
    text = " ".join(text.split())
    if len(text) < 5:
        raise ConversationRefused(_("Write your statement."))
    if len(text) > STATEMENT_MAX:
        raise ConversationRefused(
            _("Your statement must be %(max)s characters or fewer.") % {"max": STATEMENT_MAX}
        )
    if Statement.objects.filter(conversation=conversation, text__iexact=text).exists():
        raise ConversationRefused(_("This statement is already in the conversation: vote on it."))
    check_rate(author)
    status = Contribution.HELD if needs_review(author) else Contribution.PUBLISHED
    try:
        with transaction.atomic():
            statement = Statement.objects.create(
                conversation=conversation,
                author=author,
                text=text,
                status=status,
                created_at=timezone.now(),
                idempotency_key=idempotency_key,
            )
            audit.record(
                actor=author,
                action="participation:statement:added",
                subject=statement,
                after={"conversation": conversation.slug, "text": text, "status": status},
            )
    except IntegrityError:
        raise ConversationRefused(
            _("This statement is already in the conversation: vote on it.")
        ) from None
    return StatementOutcome(statement, created=True)


@transaction.atomic
def vote(*, participant, statement: Statement, value: int) -> StatementVote:
    """Agree (1), disagree (-1) or pass (0); voting again changes the vote."""
    if not is_citizen(participant):
        raise ConversationRefused(_("Votes are cast from a citizen account."))
    if value not in Opinion.values:
        raise ConversationRefused(_("Choose agree, disagree or pass."))
    locked = Statement.objects.select_related("conversation").get(pk=statement.pk)
    if locked.status != Contribution.PUBLISHED or locked.conversation.status != OpenClosed.OPEN:
        raise ConversationRefused(_("This statement is not open for votes."))
    made, created = StatementVote.objects.update_or_create(
        statement=locked, participant=participant, defaults={"value": value}
    )
    audit.record(
        actor=participant,
        action="participation:statement:voted",
        subject=locked,
        after={"value": value, "changed": not created},
    )
    return made
