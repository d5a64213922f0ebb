"""Who may reach each URL: the registry that ``test_access_control.py`` checks, one entry per URL.

Adding a URL? Add its entry here (the suite fails until you do). Pick the kind:

- ``public()``        anyone, signed in or not (pages, open data, probes);
- ``signed_in()``     any signed-in person; anonymous visitors are sent to sign in;
- ``owner(kwargs)``   one person's own object: others get the same 404 as for a missing one;
- ``staff(roles, kwargs)``  back-office staff holding one of ``roles`` (and the object in their
  scope); citizens and other staff are refused;
- ``api_public()`` / ``api_signed_in()`` / ``api_owner(kwargs)``  the same for the JSON API
  (a personal access token in the ``Authorization`` header);
- ``api_client()``    endpoints that authenticate a client application (OAuth): refused without.

``kwargs`` is a dict, or a function of the test ``World`` (``w.application.reference`` …) when the
URL needs a real object. ``real=True`` says the object exists, so the test also checks that the
rightful user *does* get in (otherwise only the refusals are checked). ``method="POST"`` for views
that only accept POST: the refusals are then checked with a POST, which must change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CASE_ROLES = ("caseworker", "supervisor", "auditor")
DECIDING_ROLES = ("caseworker", "supervisor")
PAYMENT_ROLES = ("finance_officer", "auditor", "administrator")
TRAIL_ROLES = ("auditor", "administrator")
DASHBOARD_ROLES = ("supervisor", "finance_officer", "auditor", "administrator")
PARTICIPATION_ROLES = ("policy_author", "approver", "administrator")
STUDIO_ROLES = ("policy_author", "approver")
PRIVACY_ROLES = ("administrator",)
UUID0 = "00000000-0000-4000-8000-000000000000"

MISSING = "ZZ-NO-SUCH-THING"


@dataclass(frozen=True)
class Rule:
    kind: str
    kwargs: dict | Callable[[Any], dict] = field(default_factory=dict)
    method: str = "GET"
    roles: tuple[str, ...] = ()
    real: bool = False
    path: str = ""  # for a pattern without a name: an example path to request
    body: dict = field(default_factory=dict)  # a valid JSON body, so validation cannot answer first
    note: str = ""

    def kwargs_for(self, world) -> dict:
        return self.kwargs(world) if callable(self.kwargs) else dict(self.kwargs)


def public(kwargs=None, **extra) -> Rule:
    return Rule("public", kwargs or {}, **extra)


def signed_in(kwargs=None, **extra) -> Rule:
    return Rule("signed_in", kwargs or {}, **extra)


def owner(kwargs, **extra) -> Rule:
    return Rule("owner", kwargs, **extra)


def staff(roles: tuple[str, ...], kwargs=None, **extra) -> Rule:
    return Rule("staff", kwargs or {}, roles=roles, **extra)


def api_public(kwargs=None, **extra) -> Rule:
    return Rule("api_public", kwargs or {}, **extra)


def api_signed_in(kwargs=None, **extra) -> Rule:
    return Rule("api_signed_in", kwargs or {}, **extra)


def api_client(kwargs=None, **extra) -> Rule:
    return Rule("api_client", kwargs or {}, **extra)


def api_owner(kwargs, **extra) -> Rule:
    return Rule("api_owner", kwargs, **extra)


def admin(**extra) -> Rule:
    return Rule("admin", **extra)


def _application(w) -> dict:
    return {"reference": w.application.reference}


def _version(w) -> dict:
    return {"version_id": w.programme_version.pk}


def _person(w) -> dict:
    return {"pk": w.owner.person.pk}  # the citizen's registry record


def _account(w) -> dict:
    return {"pk": w.other.pk}  # an account without a registry record


# Every URL of the Django admin is protected alike (staff, then model permissions).
NAMESPACES: dict[str, Rule] = {"admin": admin()}

M = MISSING
REF = {"reference": M}
NOBODY = {"pk": 999999}

URLS: dict[str, Rule] = {
    # --- web, accounts, language --------------------------------------------------------------
    "web:home": public(),
    "set_language": public(method="POST"),
    "accounts:login": public(),
    "accounts:logout": public(method="POST"),
    "admin:login": public(note="the admin's sign-in page"),
    "admin:logout": public(note="signs out whoever asks"),
    "accounts:sign_up": public(),
    "accounts:check_email": public(),
    "accounts:verify_email": public({"token": M}),
    "accounts:password_reset": public(),
    "accounts:password_reset_sent": public(),
    "accounts:password_reset_confirm": public({"token": M}),
    "accounts:eid_start": public(),
    "accounts:eid_callback": public(),
    "accounts:account": signed_in(),
    "accounts:session": public(note="how long the session has left; nothing for anonymous"),
    "accounts:session_extend": public(method="POST", note="extends only a signed-in session"),
    "accounts:mfa_setup": signed_in(),
    "accounts:mfa_verify": public(note="the second step of signing in"),
    "accounts:mfa_recovery": public(note="the second step of signing in"),
    "accounts:mfa_codes": signed_in(),
    "accounts:mfa_new_codes": signed_in(method="POST"),
    "accounts:mfa_turn_off": signed_in(method="POST"),
    # --- operations ----------------------------------------------------------------------------
    "ops:healthz": public(),
    "ops:readyz": public(),
    "ops:metrics": public(note="needs METRICS_TOKEN in production (tests/ops/test_probes.py)"),
    # --- programmes and eligibility --------------------------------------------------------------
    "programs:catalogue": public(),
    "programs:start": public({"slug": "child-benefit"}),
    "programs:check_start": public({"slug": "child-benefit"}),
    "programs:check_question": public({"slug": "child-benefit", "page": "1"}),
    "programs:check_result": public({"slug": "child-benefit"}),
    # --- applications (a citizen's own) ------------------------------------------------------------
    "applications:mine": signed_in(),
    "applications:apply": signed_in({"slug": "child-benefit"}, method="POST"),
    "applications:detail": owner(_application, real=True),
    "applications:confirmation": owner(_application, real=True),
    "applications:prefill": owner(_application),
    "applications:question": owner(lambda w: {**_application(w), "page": "1"}),
    "applications:documents": owner(_application),
    "applications:document": owner(lambda w: {**_application(w), "document_id": 999999}),
    "applications:upload": owner(lambda w: {**_application(w), "name": "payslip"}, method="POST"),
    "applications:remove_document": owner(
        lambda w: {**_application(w), "document_id": 1}, method="POST"
    ),
    "applications:check": owner(_application),
    "applications:discard": owner(_application, method="POST"),
    "applications:respond": owner(_application),
    "applications:withdraw": owner(_application, method="POST"),
    "applications:on_behalf": staff(("caseworker", "supervisor"), note="or an intermediary"),
    "applications:on_behalf_start": staff(("caseworker", "supervisor"), {"token": M}),
    # --- a person's own data, messages and API access ------------------------------------------------
    "my:data": signed_in(),
    "my:data_json": signed_in(),
    "my:correction": signed_in(),
    "my:messages": signed_in(),
    "my:tokens": signed_in(),
    "my:revoke_token": owner(lambda w: {"token_id": w.owner_token_id}, method="POST"),
    "oauth:authorize": signed_in(),
    "oauth:token": api_client(method="POST"),
    "oauth:revoke": api_client(method="POST"),
    # --- the public JSON API -------------------------------------------------------------------------
    "api-v1:api-root": api_public(),
    "api-v1:openapi-json": api_public(),
    "api-v1:list_programmes": api_public(),
    "api-v1:get_programme": api_public({"slug": "child-benefit"}),
    "api-v1:check": api_public({"slug": "child-benefit"}, method="POST"),
    "api-v1:calculate": api_public({"programme": "child-benefit"}, method="POST"),
    "api-v1:explain": api_public({"programme": "child-benefit"}, method="POST"),
    "api-v1:list_applications": api_signed_in(),
    "api-v1:create_application": api_signed_in(method="POST"),
    "api-v1:get_application": api_owner(_application, real=True),
    "api-v1:save_answers": api_owner(
        _application, method="PATCH", body={"answers": {"children_count": 3}}
    ),
    "api-v1:submit": api_owner(_application, method="POST"),
    "api-v1:upload_document": api_owner(
        lambda w: {**_application(w), "requirement": "payslip"}, method="POST"
    ),
    "api-v1:reply": api_owner(_application, method="POST", body={"message": "Here it is."}),
    "api-v1:withdraw": api_owner(_application, method="POST"),
    # --- appeals and complaints (citizens) ------------------------------------------------------------
    "redress:home": signed_in(),
    "redress:complaint": signed_in(),
    "redress:appeal": owner(REF),
    "redress:letter": owner(REF),
    "redress:letter_pdf": owner(REF),
    # --- the back office: casework ---------------------------------------------------------------------
    "casework:queue": staff(CASE_ROLES),
    "casework:redress_queue": staff(CASE_ROLES),
    "casework:bulk": staff(CASE_ROLES, method="POST", note="actions refused by the service"),
    "casework:share_out": staff(CASE_ROLES, method="POST", note="supervisors' office only"),
    "casework:case": staff(CASE_ROLES, _application, real=True),
    "casework:take": staff(DECIDING_ROLES, _application, method="POST"),
    "casework:request_information": staff(DECIDING_ROLES, _application, method="POST"),
    "casework:information_received": staff(DECIDING_ROLES, _application, method="POST"),
    "casework:second_approval": staff(("supervisor",), _application, method="POST"),
    "casework:document": staff(CASE_ROLES, lambda w: {**_application(w), "document_id": 999999}),
    "casework:letter": staff(CASE_ROLES, _application),
    "casework:letter_pdf": staff(CASE_ROLES, _application),
    "casework:appeal": staff(CASE_ROLES, REF),
    "casework:grievance": staff(CASE_ROLES, REF),
    "casework:proactive": staff(CASE_ROLES),
    "casework:proactive_run": staff(CASE_ROLES, {"run_id": 999999}),
    "casework:corrections": staff(DECIDING_ROLES),
    "casework:correction": staff(DECIDING_ROLES, {"pk": 999999}),
    # --- payments ------------------------------------------------------------------------------------------
    "payments:cycles": staff(PAYMENT_ROLES),
    "payments:dashboard": staff(DASHBOARD_ROLES),
    "payments:cycle": staff(PAYMENT_ROLES, {"cycle_id": 999999}),
    "payments:approve": staff(PAYMENT_ROLES, {"cycle_id": 999999}, method="POST"),
    "payments:issue": staff(PAYMENT_ROLES, {"cycle_id": 999999}, method="POST"),
    "payments:results": staff(PAYMENT_ROLES, {"cycle_id": 999999}, method="POST"),
    "payments:batch_file": staff(PAYMENT_ROLES, {"batch_id": 999999}),
    # --- the audit trail -----------------------------------------------------------------------------------
    "audit:search": staff(TRAIL_ROLES),
    "audit:export": staff(TRAIL_ROLES),
    # --- data-subject requests: erasure and access (the data-protection officer) -------------------------
    "privacy:find": staff(PRIVACY_ROLES, real=True),
    "privacy:person": staff(PRIVACY_ROLES, _person, real=True),
    "privacy:person_erase": staff(PRIVACY_ROLES, _person, method="POST"),
    "privacy:person_export": staff(PRIVACY_ROLES, _person, method="POST"),
    "privacy:account": staff(PRIVACY_ROLES, _account, real=True),
    "privacy:account_erase": staff(PRIVACY_ROLES, _account, method="POST"),
    "privacy:account_export": staff(PRIVACY_ROLES, _account, method="POST"),
    "privacy:done": staff(PRIVACY_ROLES, {"seq": 999999}),
    # --- open data: the public catalogue, APIs and feeds ---------------------------------------------------
    "opendata:search": public(),
    "opendata:api": public(),
    "opendata:publisher": public({"name": "nobody"}),
    "opendata:dataset": public({"name": "nothing"}),
    "opendata:dataset-rdf": public(path="/data/dataset/nothing.ttl"),
    "opendata:resource": public({"name": "nothing", "resource_id": UUID0}),
    "opendata:download": public({"name": "nothing", "resource_id": UUID0, "filename": "x.csv"}),
    "ckan-action": api_public({"name": "package_list"}),
    "ckan-action-unversioned": api_public({"name": "package_list"}),
    "ckan-version": api_public(),
    "dcat-catalog-ttl": public(),
    "dcat-catalog-rdf": public(),
    "dcat-catalog-xml": public(),
    "dcat-catalog-jsonld": public(),
    "dcat-us": public(),
    # publishers: signed in, and then only the organisations they belong to
    "opendata:manage": signed_in(),
    "opendata:dataset-new": signed_in(),
    "opendata:dataset-edit": signed_in({"name": "nothing"}),
    "opendata:resource-new": signed_in({"name": "nothing"}),
    "opendata:tokens": signed_in(),
    "opendata:token-revoke": owner({"token_id": UUID0}, method="POST"),
    # --- the programme studio (policy authors and approvers) -------------------------------------------
    "studio:index": staff(STUDIO_ROLES),
    "studio:new_programme": staff(STUDIO_ROLES),
    "studio:new_version": staff(STUDIO_ROLES, {"slug": "child-benefit"}),
    "studio:version": staff(STUDIO_ROLES, _version, real=True),
    "studio:rules": staff(STUDIO_ROLES, _version),
    "studio:form": staff(STUDIO_ROLES, _version),
    "studio:details": staff(STUDIO_ROLES, _version),
    "studio:tests": staff(STUDIO_ROLES, _version),
    "studio:simulate": staff(STUDIO_ROLES, _version, method="POST"),
    "studio:simulation_csv": staff(STUDIO_ROLES, {"simulation_id": 999999}),
    "studio:consult": staff(STUDIO_ROLES, {"simulation_id": 999999}),
    "studio:submit": staff(STUDIO_ROLES, _version, method="POST"),
    "studio:review": staff(STUDIO_ROLES, _version, method="POST"),
    # --- GovStack Registration building block API (operator clients with their own tokens) ----------
    "govstack:services": api_client(),
    "govstack:service": api_client({"service": "child-benefit"}),
    "govstack:service_eforms": api_client({"service": "child-benefit"}),
    "govstack:submit": api_client({"service": "child-benefit"}, method="POST"),
    "govstack:eform": api_client({"eform": "child-benefit"}),
    "govstack:documents": api_client(method="POST"),
    "govstack:applications": api_client(),
    "govstack:application": api_client(REF),
    "govstack:tasks": api_client(),
    "govstack:task": api_client({"task": M}),
    "govstack:task_complete": api_client({"task": M}, method="POST"),
    "govstack:statistics": api_client(),
    # --- e-participation --------------------------------------------------------------------------------------
    "participation:index": public(),
    "participation:consultation": public({"slug": "nothing"}),
    "participation:document": public({"slug": "nothing", "document_slug": "nothing"}),
    "participation:impact": public({"slug": "nothing"}),
    "participation:proposals": public(),
    "participation:proposal": public(NOBODY),
    "participation:survey": public({"slug": "nothing"}),
    "participation:survey-results": public({"slug": "nothing"}),
    "participation:budget": public({"slug": "nothing"}),
    "participation:budget-results": public({"slug": "nothing"}),
    "participation:verification": public({"slug": "nothing", "region": "north"}),
    "participation:budget-pb": public({"slug": "nothing", "region": "north"}),
    "participation:conversation": public({"slug": "nothing"}),
    "participation:opinion-map": public({"slug": "nothing"}),
    "participation:moderation-policy": public(),
    "participation:moderation-log": public(),
    "participation:comment": signed_in({"slug": "nothing"}, method="POST"),
    "participation:reply": signed_in(NOBODY, method="POST"),
    "participation:endorse": signed_in(NOBODY, method="POST"),
    "participation:report": signed_in({"kind": "comment", "pk": 999999}, method="POST"),
    "participation:proposal-new": signed_in(),
    "participation:support": signed_in(NOBODY, method="POST"),
    "participation:proposal-comment": signed_in(NOBODY, method="POST"),
    "participation:statement-add": signed_in({"slug": "nothing"}, method="POST"),
    "participation:statement-vote": signed_in({"slug": "nothing", "pk": 999999}, method="POST"),
    "participation:vote": signed_in({"slug": "nothing"}, method="POST"),
    "participation:staff": staff(PARTICIPATION_ROLES),
    "participation:staff-moderation": staff(PARTICIPATION_ROLES),
    "participation:staff-moderate": staff(
        PARTICIPATION_ROLES, {"kind": "comment", "pk": 999999}, method="POST"
    ),
    "participation:staff-answer": staff(PARTICIPATION_ROLES, NOBODY, method="POST"),
    "participation:staff-consultation": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-consultation-new": staff(PARTICIPATION_ROLES),
    "participation:staff-budget-import": staff(PARTICIPATION_ROLES),
    "participation:staff-budget": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-survey-status": staff(
        PARTICIPATION_ROLES, {"slug": "nothing"}, method="POST"
    ),
    "participation:staff-conversation-status": staff(
        PARTICIPATION_ROLES, {"slug": "nothing"}, method="POST"
    ),
    "participation:staff-consultation-edit": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-budget-new": staff(PARTICIPATION_ROLES),
    "participation:staff-budget-edit": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-project-new": staff(
        PARTICIPATION_ROLES, {"slug": "nothing", "region": "north"}
    ),
    "participation:staff-project": staff(
        PARTICIPATION_ROLES, {"slug": "nothing", "region": "north", "code": "1"}
    ),
    "participation:staff-survey-new": staff(PARTICIPATION_ROLES),
    "participation:staff-survey": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-survey-edit": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-conversation-new": staff(PARTICIPATION_ROLES),
    "participation:staff-conversation": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
    "participation:staff-conversation-edit": staff(PARTICIPATION_ROLES, {"slug": "nothing"}),
}
