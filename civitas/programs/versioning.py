"""The lifecycle of a programme version, and the one function that changes its status.

    draft ──► in_review ──► approved ──► scheduled ──► in_force ──► retired
      ▲           │                          │
      └───────────┘ (returned for changes)   └──► in_force when its date comes

A version is editable only as a draft; from ``approved`` on its rules, form and date never change
(the studio's services refuse). Putting a version in force retires the one in force before it, in
the same transaction, so a programme never has two versions in force.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from civitas.audit import services as audit
from civitas.programs.models import ProgramVersion, VersionStatus

S = VersionStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.APPROVED}),  # returned for changes, or approved
    S.APPROVED: frozenset({S.SCHEDULED, S.IN_FORCE}),  # in force at once when dated today
    S.SCHEDULED: frozenset({S.IN_FORCE}),
    S.IN_FORCE: frozenset({S.RETIRED}),
    S.RETIRED: frozenset(),
}

# From here on a version's content is frozen.
IMMUTABLE = frozenset({S.APPROVED, S.SCHEDULED, S.IN_FORCE, S.RETIRED})


class TransitionRefused(Exception):
    """A status change the lifecycle does not allow; the message says why, for the page."""


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def is_editable(version: ProgramVersion) -> bool:
    return version.status == S.DRAFT


@transaction.atomic
def change_status(
    *, actor, version: ProgramVersion, to: str, context: dict | None = None
) -> ProgramVersion:
    """Move ``version`` to ``to`` (audited as ``programs:version:<to>``).

    The row is locked and re-read, so two people acting at once cannot both move it. Moving a
    version in force retires the programme's previous version in force."""
    locked = ProgramVersion.objects.select_for_update().get(pk=version.pk)
    if not allowed(locked.status, to):
        raise TransitionRefused(
            _("A version that is %(current)s cannot become %(target)s.")
            % {"current": S(locked.status).label, "target": S(to).label}
        )
    before = locked.status
    retired = None
    if to == S.IN_FORCE:
        previous = (
            ProgramVersion.objects.select_for_update()
            .filter(program_id=locked.program_id, status=S.IN_FORCE)
            .exclude(pk=locked.pk)
        )
        for old in previous:
            ProgramVersion.objects.filter(pk=old.pk).update(status=S.RETIRED)
            audit.record(
                actor=actor,
                action="programs:version:retired",
                subject=old,
                before={"status": S.IN_FORCE.value},
                after={"status": S.RETIRED.value, "replaced_by": locked.number},
            )
            retired = old.number
    ProgramVersion.objects.filter(pk=locked.pk).update(status=to)
    locked.status = to
    audit.record(
        actor=actor,
        action=f"programs:version:{to}",
        subject=locked,
        before={"status": before},
        after={"status": str(to), "retired": retired},
        context=context or {},
    )
    version.status = to
    return locked
