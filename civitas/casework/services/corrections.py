"""Resolving a citizen's request for correction: corrected, or refused with the reason.

The change itself is made where the data lives (the registry, the application); this records the
outcome, audits it in the same transaction and tells the person after commit, in their language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civitas.applications.models import CorrectionRequest, CorrectionStatus
from civitas.audit import services as audit
from civitas.casework.errors import ActionRefused
from civitas.casework.selectors.corrections import correction_for_staff
from civitas.notify import services as notify

OUTCOMES = ("corrected", "refused")


@transaction.atomic
def resolve_correction(*, actor, pk: int, outcome: str, reason: str) -> CorrectionRequest:
    """Close the request ``pk`` with ``outcome`` (``corrected`` or ``refused``) and ``reason``,
    which the person reads: what was changed, or why nothing was."""
    if outcome not in OUTCOMES:
        raise ValueError(_("Select whether you corrected it"))
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Enter what you changed, or why you did not change it"))
    correction_for_staff(actor, pk=pk)  # same 404 for out of scope as for missing
    request = CorrectionRequest.objects.select_for_update().select_related("user").get(pk=pk)
    if request.status != CorrectionStatus.OPEN:
        raise ActionRefused(_("This request has already been dealt with."))
    if request.user_id == actor.pk:
        raise PermissionDenied("nobody resolves their own request")
    request.status = CorrectionStatus.RESOLVED
    request.resolved_at = timezone.now()
    request.resolution = reason
    request.save(update_fields=["status", "resolved_at", "resolution"])
    audit.record(
        actor=actor,
        action="applications:correction:resolved",
        subject=request,
        before={"status": CorrectionStatus.OPEN},
        after={"status": request.status, "outcome": outcome, "resolution": reason},
    )
    with translation.override(getattr(request.user, "preferred_language", "") or None):
        if outcome == "corrected":
            subject = _("We have corrected what we hold about you")
            body = _(
                "You asked us to correct what we hold about you:\n\n%(details)s\n\n"
                "We have corrected it. What we changed:\n\n%(reason)s"
            )
        else:
            subject = _("We have not made the correction you asked for")
            body = _(
                "You asked us to correct what we hold about you:\n\n%(details)s\n\n"
                "We have not changed it, for this reason:\n\n%(reason)s\n\n"
                "If you disagree, reply through your account or ask at your local office. You "
                "can also complain to the data protection authority."
            )
        notify.queue_email(
            recipient=request.user,
            subject=subject,
            body=body % {"details": request.details, "reason": reason},
            actor=actor,
        )
    return request
