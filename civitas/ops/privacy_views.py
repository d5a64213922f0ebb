"""The data-protection officer's pages, under ``/staff/privacy/``: find the person (by national ID)
or the account (by email) a data-subject request is about, see what an erasure would do now (a
dry run, itself audited as a read of personal data), carry it out with the request's reference,
and download everything held about them (subject access, audited).

Administrators only; anyone else gets the same 404 as for a missing page. The work is done by
``civitas.ops.erasure`` and ``civitas.ops.subject_access``; these views only ask and show.
"""

from __future__ import annotations

import json
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from civitas.ops import erasure, selectors, subject_access
from civitas.ops.forms import FindSubjectForm, RequestReferenceForm
from civitas.registry.selectors import person_for_account

REMOVED_LABELS = {
    "drafts": gettext_lazy("Draft applications"),
    "documents": gettext_lazy("Uploaded documents"),
    "answers": gettext_lazy("Answers of applications whose period has ended"),
    "accounts": gettext_lazy("Account: email address, name and password"),
    "authenticator_apps": gettext_lazy("Authenticator apps"),
    "recovery_codes": gettext_lazy("Recovery codes"),
    "eid_links": gettext_lazy("Links to the national eID"),
    "api_tokens": gettext_lazy("API access tokens"),
    "consents": gettext_lazy("Consents"),
    "sessions": gettext_lazy("Open sessions"),
    "memberships": gettext_lazy("Household memberships"),
    "identifiers": gettext_lazy("Identifiers from other systems"),
    "registry_records": gettext_lazy("Registry record"),
}
KEPT_LABELS = {
    "applications": gettext_lazy("Sent applications"),
    "enrolments": gettext_lazy("Enrolments"),
    "payments": gettext_lazy("Payments"),
}
WOULD = {
    "erased": gettext_lazy(
        "The registry record would be deleted, with its household membership and identifiers."
    ),
    "pseudonymised": gettext_lazy(
        "Other records still point at the registry record, so it would be kept as a pseudonym: "
        "names, national ID and health data replaced, date of birth cut to the year, and the "
        "answers and documents of applications whose period has ended removed."
    ),
    "restricted": gettext_lazy(
        "The law still requires records about this person to be kept, so the registry record "
        "would stay as it is until the last period below ends. Drafts and the account would go "
        "now."
    ),
    "account_erased": gettext_lazy("The account would be closed and its personal data removed."),
}
DONE = {
    "erased": gettext_lazy(
        "The registry record was deleted, with its household membership and identifiers."
    ),
    "pseudonymised": gettext_lazy(
        "Other records still point at the registry record, so it was kept as a pseudonym: "
        "names, national ID and health data replaced, date of birth cut to the year."
    ),
    "restricted": gettext_lazy(
        "The law still requires records about this person to be kept: the registry record stays "
        "as it is until the last period below ends. Drafts and the account were removed."
    ),
    "account_erased": gettext_lazy("The account was closed and its personal data removed."),
}


def _removed_rows(removed: dict) -> list[dict]:
    return [
        {"label": REMOVED_LABELS.get(name, name), "count": count}
        for name, count in removed.items()
        if count
    ]


def _kept_rows(kept: dict) -> list[dict]:
    rows = []
    for rule, hold in kept.items():
        until = date.fromisoformat(hold["until"])
        rows.append(
            {
                "label": KEPT_LABELS.get(rule, rule),
                "count": hold["count"],
                "until": None if until == date.max else until,
            }
        )
    return rows


def _subject_page(request, *, person=None, account=None, erase_form=None, export_form=None):
    """The page of one person or account: who, what an erasure would do now, the two forms."""
    preview = erasure.preview_erasure(actor=request.user, person=person, user=account)
    outcome = preview.outcome
    invalid = bool((erase_form and erase_form.errors) or (export_form and export_form.errors))
    return render(
        request,
        "ops/privacy_subject.html",
        {
            "person": person,
            "account": account if account is not None else getattr(person, "account", None),
            "kind": "person" if person is not None else "account",
            "refused": preview.refused,
            "outcome": outcome.outcome if outcome else "",
            "would": WOULD.get(outcome.outcome, "") if outcome else "",
            "removed": _removed_rows(outcome.removed) if outcome else [],
            "kept": _kept_rows(outcome.kept) if outcome else [],
            "erase_form": erase_form or RequestReferenceForm(prefix="erase"),
            "export_form": export_form or RequestReferenceForm(prefix="export"),
            "invalid": invalid,
        },
        status=400 if invalid else 200,
    )


@never_cache
@login_required
def find(request):
    """Find by national ID or email. A POST, so the number never lands in a URL or a log."""
    selectors.require_privacy_officer(request.user)
    form = FindSubjectForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if form.cleaned_data["national_id"]:
            person = selectors.person_by_national_id(form.cleaned_data["national_id"])
            if person is not None:
                return redirect("privacy:person", pk=person.pk)
            form.add_error(
                "national_id",
                _("No person in the registry has this national ID number. Check the number."),
            )
        else:
            account = selectors.account_by_email(form.cleaned_data["email"])
            if account is not None:
                person = person_for_account(account)
                if person is not None:
                    return redirect("privacy:person", pk=person.pk)
                return redirect("privacy:account", pk=account.pk)
            form.add_error("email", _("No account has this email address. Check the address."))
    return render(
        request, "ops/privacy_find.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
@login_required
@require_safe
def person(request, pk: int):
    subject = selectors.person_for_officer(request.user, pk)
    return _subject_page(request, person=subject)


@never_cache
@login_required
@require_safe
def account(request, pk: int):
    subject = selectors.account_for_officer(request.user, pk)
    owner = person_for_account(subject)
    if owner is not None:  # an account with a registry record is handled through the person
        return redirect("privacy:person", pk=owner.pk)
    return _subject_page(request, account=subject)


@login_required
@require_POST
def erase_person(request, pk: int):
    subject = selectors.person_for_officer(request.user, pk)
    return _erase(request, lambda **kw: erasure.erase_person(person=subject, **kw), person=subject)


@login_required
@require_POST
def erase_account(request, pk: int):
    subject = selectors.account_for_officer(request.user, pk)
    return _erase(request, lambda **kw: erasure.erase_account(user=subject, **kw), account=subject)


def _erase(request, erase, **subject):
    """Carry out the erasure with the request reference given, or show the page again with why
    not (a missing reference, or what the service refused)."""
    form = RequestReferenceForm(request.POST, prefix="erase")
    if form.is_valid():
        try:
            outcome = erase(actor=request.user, reason=form.cleaned_data["reason"])
        except erasure.ErasureRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("privacy:done", seq=outcome.audit_seq)
    return _subject_page(request, erase_form=form, **subject)


def _download(data: dict, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="civitas-{name}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def export_person(request, pk: int):
    subject = selectors.person_for_officer(request.user, pk)
    form = RequestReferenceForm(request.POST, prefix="export")
    if not form.is_valid():
        return _subject_page(request, person=subject, export_form=form)
    data = subject_access.export(
        actor=request.user, reason=form.cleaned_data["reason"], person=subject
    )
    return _download(data, f"subject-access-person-{subject.pk}")


@login_required
@require_POST
def export_account(request, pk: int):
    subject = selectors.account_for_officer(request.user, pk)
    form = RequestReferenceForm(request.POST, prefix="export")
    if not form.is_valid():
        return _subject_page(request, account=subject, export_form=form)
    data = subject_access.export(
        actor=request.user, reason=form.cleaned_data["reason"], user=subject
    )
    return _download(data, f"subject-access-account-{subject.pk}")


@never_cache
@login_required
@require_safe
def done(request, seq: int):
    """What an erasure did, read back from its audit event (ids and counts, nothing erased)."""
    event = selectors.erasure_record(request.user, seq)
    after = event.after or {}
    outcome = after.get("outcome", "")
    return render(
        request,
        "ops/privacy_done.html",
        {
            "event": event,
            "outcome": outcome,
            "done": DONE.get(outcome, ""),
            "request_reference": after.get("request", ""),
            "removed": _removed_rows(after.get("removed") or {}),
            "kept": _kept_rows(after.get("kept") or {}),
        },
    )
