"""Every change to an application and what hangs off it: one function per action, each audited in
its transaction, side effects (emails, texts) after commit.

``from civitas.applications import services`` gives all of them; the modules group them by
concept: ``applying`` (drafts, submission, the lifecycle, messages), ``documents``, ``people``
(consent, corrections, assisted digital) and ``access`` (API tokens and OAuth).
"""

from civitas.applications.services.access import (
    OAuthError,
    authorize_client,
    create_oauth_client,
    create_personal_token,
    exchange_code,
    refresh_access_token,
    revoke_token,
    touch_token,
)
from civitas.applications.services.applying import (
    Problem,
    SubmissionIncomplete,
    SubmitOutcome,
    answer_information_request,
    answers_for_audit,
    decline_prefill,
    problems_before_sending,
    record_decision,
    request_information,
    save_answers,
    send_message,
    start_draft,
    start_review,
    submit_application,
    submit_draft,
    use_registry_answers,
    withdraw,
)
from civitas.applications.services.documents import (
    DocumentRefused,
    DocumentUnavailable,
    add_document,
    open_document,
    reencrypt_documents,
    remove_document,
)
from civitas.applications.services.people import (
    register_intermediary,
    request_correction,
    start_on_behalf,
)

__all__ = [
    "DocumentRefused",
    "DocumentUnavailable",
    "OAuthError",
    "Problem",
    "SubmissionIncomplete",
    "SubmitOutcome",
    "add_document",
    "answer_information_request",
    "answers_for_audit",
    "authorize_client",
    "create_oauth_client",
    "create_personal_token",
    "decline_prefill",
    "exchange_code",
    "open_document",
    "problems_before_sending",
    "record_decision",
    "reencrypt_documents",
    "refresh_access_token",
    "register_intermediary",
    "remove_document",
    "request_correction",
    "request_information",
    "revoke_token",
    "save_answers",
    "send_message",
    "start_draft",
    "start_on_behalf",
    "start_review",
    "submit_application",
    "submit_draft",
    "touch_token",
    "use_registry_answers",
    "withdraw",
]
