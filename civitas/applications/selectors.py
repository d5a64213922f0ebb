"""Reads of applications, always through who is asking: "missing" and "not yours" look the same."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from civitas.accounts.models import Role, User
from civitas.applications.lifecycle import Status
from civitas.applications.models import (
    ApiToken,
    Application,
    ApplicationMessage,
    Channel,
    Document,
    Intermediary,
    OAuthClient,
)
from civitas.db.prepared import Prepared
from civitas.programs.selectors import program_by_id
from civitas.registry.models import Person
from civitas.registry.national_id import is_valid_national_id


def applications_of(user):
    """The applications a person made, or that were made for them (newest first)."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return (
        Application.objects.filter(applicant=user)
        .select_related("program", "program_version")
        .order_by("-created_at")
    )


def applications_made_for_others(user):
    """What a caseworker or intermediary applied for on people's behalf."""
    return (
        Application.objects.filter(created_by=user, channel=Channel.ASSISTED)
        .select_related("program", "person")
        .order_by("-created_at")
    )


def _reachable(user):
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(Q(applicant=user) | Q(created_by=user)).select_related(
        "program", "program_version", "person", "applicant", "created_by"
    )


def application_for_applicant(*, user, reference: str) -> Application:
    """The application ``reference`` if ``user`` is its applicant or filled it in; else 404."""
    application = _reachable(user).filter(reference=reference).first()
    if application is None:
        raise Http404("No such application")
    return application


# The public API's reads, on every request: compiled once (civitas.db.prepared).
_BY_REFERENCE = Prepared(lambda ref: Application.objects.filter(reference=ref)[:1], str)
_BY_KEY = Prepared(
    lambda creator, key: Application.objects.filter(created_by_id=creator, idempotency_key=key)[:1],
    int,
    str,
)
_DOCUMENTS = Prepared(lambda pk: Document.objects.filter(application_id=pk), int)
_MESSAGES = Prepared(lambda pk: ApplicationMessage.objects.filter(application_id=pk), int)
_TOKEN = Prepared(lambda digest: ApiToken.objects.filter(token_hash=digest)[:1], str)
_USER = Prepared(lambda pk: User.objects.filter(pk=pk)[:1], int)
_CLIENT = Prepared(lambda pk: OAuthClient.objects.filter(pk=pk)[:1], int)


def application_status_for_applicant(*, user, reference: str) -> Application:
    """As ``application_for_applicant``, with its programme (what a status read shows). The
    reference is unique, so the application is found by it alone and then checked to be the
    user's (a simpler query than the OR of both links; the same 404 either way)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such application")
    application = _BY_REFERENCE.first(reference)
    if application is None or user.pk not in (application.applicant_id, application.created_by_id):
        raise Http404("No such application")
    application.program = program_by_id(application.program_id)
    return application


def documents_and_messages(application: Application) -> tuple[list, list]:
    """The documents and the case messages of ``application``, oldest first."""
    return _DOCUMENTS(application.pk), _MESSAGES(application.pk)


def replayed_application(*, created_by, idempotency_key: str) -> Application | None:
    """The application ``created_by`` already made with ``idempotency_key``, if any (the pair is
    unique, so no ordering is needed)."""
    if created_by is None or created_by.pk is None:
        return None
    return _BY_KEY.first(created_by.pk, idempotency_key)


def expected_decision(application: Application):
    """The date we aim to decide by, while the case is open (None otherwise)."""
    from civitas.applications.lifecycle import OPEN_STATES, add_working_days

    if application.status not in OPEN_STATES or application.submitted_at is None:
        return None
    return add_working_days(
        timezone.localdate(application.submitted_at), application.program.decision_days
    )


def open_draft(*, user, program) -> Application | None:
    """The person's own unsent application for ``program``, to continue where they stopped."""
    return (
        Application.objects.filter(
            created_by=user, applicant=user, program=program, status=Status.DRAFT
        )
        .order_by("-updated_at")
        .first()
    )


def document_for(*, user, reference: str, document_id: int) -> Document:
    application = application_for_applicant(user=user, reference=reference)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document")
    return document


# --- assisted digital -----------------------------------------------------------------------------
def can_apply_on_behalf(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_role(Role.CASEWORKER) or user.has_role(Role.SUPERVISOR):
        return True
    return Intermediary.objects.filter(user=user, active=True).exists()


def person_to_assist(*, helper, national_id: str, birth_date) -> Person | None:
    """The registry record matching both the national ID and the date of birth the person gave
    (both, so a mistyped number never opens someone else's record)."""
    if not can_apply_on_behalf(helper):
        return None
    national_id = national_id.replace(" ", "")
    if not is_valid_national_id(national_id):
        return None
    return Person.objects.with_national_id(national_id).filter(birth_date=birth_date).first()


# --- API credentials ------------------------------------------------------------------------------
def tokens_of(user):
    return ApiToken.objects.filter(user=user).select_related("client").order_by("-created_at")


def token_of(*, user, token_id: int) -> ApiToken:
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token")
    return token


def token_from_bearer(raw: str) -> ApiToken | None:
    """The active token ``raw`` stands for, or None (unknown, expired, revoked, or its person is
    no longer active)."""
    if not raw or len(raw) > 200:
        return None
    token = _TOKEN.first(hashlib.sha256(raw.encode()).hexdigest())  # token_hash is unique
    if token is None:
        return None
    token.user = _USER.first(token.user_id)
    if token.client_id is not None:
        token.client = _CLIENT.first(token.client_id)
    if token is None or not token.is_active(timezone.now()) or not token.user.is_active:
        return None
    if token.user.is_staff:
        return None  # the public API acts for citizens; staff work in the back office
    if token.client is not None and not token.client.active:
        return None
    return token


def oauth_client(client_id: str) -> OAuthClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return OAuthClient.objects.filter(client_id=client_id, active=True).first()


# --- everything held about a person (their right of access) ---------------------------------------
#
# One builder for "Your data" (``/my/data/``, ``/my/data.json``) and for the data-protection
# officer's export (``civitas.ops.subject_access``), so what the office sends and what the person
# downloads are the same document. This module builds what the applications app and the layers below
# it hold. Enrolments, entitlements and payments belong to layers above (casework, payments) that
# may not be imported from here: ``civitas.ops.subject_access`` adds them through
# ``register_personal_data_sections`` when it is imported (the URL map imports it, so they are in
# place before any request reaches "Your data").

_SECTIONS: dict[str, Callable[[Person | None], dict[str, list]]] = {}


def register_personal_data_sections(
    name: str, build: Callable[[Person | None], dict[str, list]]
) -> None:
    """Add the top-level sections ``build(person)`` returns to every ``personal_data_of``
    document. ``person`` is None for an account without a registry record: ``build`` then returns
    its sections empty, so the document's keys do not depend on it. Registering ``name`` again
    replaces the builder."""
    _SECTIONS[name] = build


def _iso(value):
    return value.isoformat() if value is not None else None


# Answers that hold the account a benefit is paid into (casework enrols with ``bank_account``).
ACCOUNT_ANSWERS = ("bank_account",)


def masked_account(account) -> str:
    """A bank or mobile-money account with all but its last 4 characters hidden.

    Both right-of-access documents show accounts this way, wherever they appear: an application's
    answers, enrolments and payments, in the person's own download and in the data-protection
    officer's export. The office's export showed enrolment and payment accounts in full before,
    with no legal reason recorded for it (the record of processing, docs/privacy/ropa.md, names
    none), so the two now agree on the safer form: the number is what someone needs to redirect a
    payment, these files leave the system (downloaded, emailed, posted), and the person knows their
    own account, so the last 4 characters are enough to recognise it. The full number stays on the
    application and the enrolment, where the office can read it out if a request needs it."""
    compact = "".join(str(account or "").split())
    if not compact:
        return ""
    return "****" + compact[-4:] if len(compact) > 4 else "****"


def _answers(answers: dict | None) -> dict | None:
    if not answers:
        return answers
    return {
        name: masked_account(value) if name in ACCOUNT_ANSWERS and value else value
        for name, value in answers.items()
    }


def _registry(person: Person | None) -> dict:
    """The registry record, and the household with other members by name and role only (their
    details are theirs to see)."""
    from civitas.registry.selectors import household_of, members_of

    registry: dict = {"person": None, "household": None}
    if person is None:
        return registry
    registry["person"] = {
        "national_id": person.national_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": _iso(person.birth_date),
        "sex": person.sex,
        "monthly_income": str(person.monthly_income),
        "pregnant": person.pregnant,
    }
    household = household_of(person)
    if household is not None:
        members = []
        for membership in members_of(household):
            if membership.person_id == person.pk:
                continue
            member = {
                "given_name": membership.person.given_name,
                "family_name": membership.person.family_name,
                "role": membership.role,
            }
            if membership.role == "child":
                member["birth_date"] = _iso(membership.person.birth_date)
            members.append(member)
        registry["household"] = {
            "reference": household.reference,
            "address": household.address,
            "region": household.region.name,
            "monthly_rent": str(household.monthly_rent),
            "other_members": members,
        }
    return registry


def _application(application: Application, *, applicant: str) -> dict:
    """One application as the person reads it; ``applicant`` names their side of the messages."""
    from civitas.applications.lifecycle import EXPLANATIONS

    assessment = application.pre_assessment or {}
    return {
        "reference": application.reference,
        "programme": application.program.name,
        "programme_version": application.program_version.number,
        "status": application.status,
        "status_explained": str(EXPLANATIONS.get(application.status, "")),
        "channel": application.channel,
        "made_by": str(application.created_by) if application.created_by else None,
        "created_at": _iso(application.created_at),
        "submitted_at": _iso(application.submitted_at),
        "decided_at": _iso(application.decided_at),
        "decision_reason": application.decision_reason,
        "answers": _answers(application.answers),
        "answers_from_registry": application.prefilled,
        "rules_assessment": {
            "headline": assessment.get("headline", ""),
            "why": [item.get("text", "") for item in assessment.get("why", [])],
            "references": assessment.get("references", []),
        }
        if assessment
        else None,
        "documents": [
            {
                "name": d.original_name,
                "format": d.file_format,
                "size": d.size,
                "sha256": d.sha256,
                "virus_scan": d.scan_status,
                "uploaded_at": _iso(d.uploaded_at),
            }
            for d in application.documents.all()
        ],
        "messages": [
            {
                "from": "office" if m.to_applicant else applicant,
                "kind": m.kind,
                "body": m.body,
                "sent_at": _iso(m.created_at),
            }
            for m in application.case_messages.all()
        ],
    }


def personal_data_of(user: User | None = None, *, person: Person | None = None) -> dict:
    """Everything Civitas holds about ``user``, for the "Your data" page and its JSON download:
    account, registry record and household, applications with their decisions and the rules'
    explanation, documents, messages, consents, correction requests, API access and activity, and
    the sections registered above (enrolments, entitlements, payments).

    The data-protection officer's export calls it with ``person`` (a registry record, with or
    without an account) or with both. Without an account, the account's own sections are empty
    (``account`` and ``contact_preference`` None, lists empty).

    Other adults in the household are listed by name and role only: their own details are theirs
    to see."""
    from civitas.applications.models import Consent, CorrectionRequest
    from civitas.audit.models import AuditEvent
    from civitas.notify.selectors import contact_preference_of, messages_for
    from civitas.registry.selectors import person_for_account

    if user is None and person is None:
        raise ValueError("personal_data_of: give an account or a registry record")
    if person is None:
        person = person_for_account(user)
    elif user is None:
        user = person.account

    def naming(user_field: str) -> Q:
        """Rows that name the account (in ``user_field``) or the registry record."""
        if user is None:
            return Q(person=person)
        if person is None:
            return Q(**{user_field: user})
        return Q(**{user_field: user}) | Q(person=person)

    applications = (
        Application.objects.filter(naming("applicant"))
        .select_related("program", "program_version", "created_by")
        .prefetch_related("documents", "case_messages")
        .order_by("-created_at")
    )
    consents = (
        Consent.objects.filter(naming("user"))
        .select_related("program", "application", "recorded_by")
        .order_by("-given_at")
    )
    preference = contact_preference_of(user) if user is not None else None
    data = {
        "generated_at": _iso(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "date_joined": _iso(user.date_joined),
            "email_verified_at": _iso(user.email_verified_at),
        }
        if user is not None
        else None,
        "contact_preference": {
            "mobile_number": preference.mobile_number,
            "text_messages": preference.sms_enabled,
        }
        if preference
        else None,
        "registry": _registry(person),
        # in the person's own file their side of a conversation is "you"; the office's export for
        # a registry record without an account says "applicant"
        "applications": [
            _application(a, applicant="you" if user is not None else "applicant")
            for a in applications
        ],
        "messages": [
            {
                "channel": m.channel,
                "to": m.address,
                "subject": m.subject,
                "body": m.body,
                "reference": m.reference,
                "delivery": m.status,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in (messages_for(user) if user is not None else [])
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "purpose_explained": c.get_purpose_display(),
                "method": c.method,
                "recorded_by": str(c.recorded_by) if c.recorded_by else None,
                "programme": c.program.name if c.program else None,
                "application": c.application.reference if c.application else None,
                "detail": c.detail,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in consents
        ],
        "correction_requests": [
            {
                "topic": r.topic,
                "details": r.details,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "resolved_at": _iso(r.resolved_at),
                "resolution": r.resolution,
            }
            for r in (CorrectionRequest.objects.filter(user=user) if user is not None else [])
        ],
        "api_access": [
            {
                "name": t.name,
                "kind": t.kind,
                "app": t.client.name if t.client else None,
                "scopes": t.scopes,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "last_used_at": _iso(t.last_used_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in (tokens_of(user) if user is not None else [])
        ],
        "activity": [
            {"at": _iso(e.occurred_at), "action": e.action}
            for e in (
                AuditEvent.objects.filter(actor_id=user.pk).order_by("-seq")[:500]
                if user is not None
                else []
            )
        ],
    }
    for name, build in _SECTIONS.items():
        sections = build(person)
        if clash := sections.keys() & data.keys():
            raise ValueError(f"personal data sections of {name!r} would replace {sorted(clash)}")
        data.update(sections)
    return data


def token_for_client(*, client, raw: str) -> ApiToken | None:
    """The token (access or refresh) ``raw`` names, if ``client`` holds it."""
    if not raw or len(raw) > 200:
        return None
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return (
        ApiToken.objects.select_related("user")
        .filter(Q(token_hash=digest) | Q(refresh_hash=digest), client=client)
        .first()
    )
