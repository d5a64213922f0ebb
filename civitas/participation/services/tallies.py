"""Counting a participatory budget with the algorithm core, and importing a Pabulib `.pb` file.

The tally runs outside any transaction (it only reads sealed ballots); its results are stored in
one short transaction that also moves the budget to "results published". Each result keeps the
full rule specification, the SHA-256 of the exact `.pb` file the rule was run on (anyone can
download that file and re-run the count) and the core's step-by-step verification report.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civitas.audit import services as audit
from civitas.participation import pbcore
from civitas.participation.lifecycles import BUDGET, BudgetStatus
from civitas.participation.models import Ballot, Budget, District, Project, TallyResult
from civitas.participation.models.budgets import BallotFormat
from civitas.participation.selectors.budgets import election_of
from civitas.registry.models import Region


class TallyFailed(Exception):
    """The count could not be carried out; nothing was stored. The message says why."""


class ImportRefused(ValueError):
    """The `.pb` file cannot be imported; the message names the section and line."""


def rule_spec(budget: Budget):
    """The budget's counting rule as the core's specification."""
    try:
        return pbcore.spec_for(
            rule=budget.rule,
            utility=budget.utility,
            completion=budget.completion,
            exhaustive_stop=budget.exhaustive_stop,
            comparison=budget.comparison,
        )
    except pbcore.TallyError as exc:
        raise TallyFailed(
            _("The counting rule is not valid: %(error)s") % {"error": str(exc)}
        ) from None


def tally(*, actor, budget: Budget) -> Budget:
    """Count every district of a closed budget and publish the results."""
    current = Budget.objects.get(pk=budget.pk)
    BUDGET.check(current.status, BudgetStatus.TALLIED)
    spec = rule_spec(current)
    spec_json = {**spec.to_dict(), "ballot_format": current.ballot_format}
    computed = []
    for district in current.districts.select_related("region").order_by("region__name"):
        election = election_of(district, with_ballots=True)
        text = pbcore.format_pb(election)
        try:
            outcome = pbcore.run(election, spec)
        except pbcore.TallyError as exc:
            raise TallyFailed(
                _("%(district)s could not be counted: %(error)s")
                % {"district": district.region.name, "error": str(exc)}
            ) from None
        computed.append((district, election, text, outcome))
    with transaction.atomic():
        locked = Budget.objects.select_for_update().get(pk=current.pk)
        BUDGET.check(locked.status, BudgetStatus.TALLIED)
        now = timezone.now()
        digests = {}
        for district, election, text, outcome in computed:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            digests[district.region.code] = digest
            costs = {p.project_id: p.cost for p in election.projects}
            TallyResult.objects.update_or_create(
                district=district,
                defaults={
                    "computed_at": now,
                    "rule_spec": spec_json,
                    "ballots": len(election.ballots),
                    "ballots_digest": digest,
                    "selected": list(outcome.selected),
                    "total_cost": Decimal(
                        str(sum((costs[c] for c in outcome.selected), Fraction(0)))
                    ).quantize(Decimal("0.01")),
                    "scores": outcome.scores,
                    "report": outcome.report,
                },
            )
        before = {"status": locked.status}
        locked.status = BudgetStatus.TALLIED
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="participation:budget:tallied",
            subject=locked,
            before=before,
            after={"status": locked.status, "rule": spec_json, "ballots_sha256": digests},
        )
    return locked


# --- import ------------------------------------------------------------------------------------
def _whole(value: Fraction | None) -> int | None:
    return int(value) if value is not None else None


def _plain_number(value: Fraction) -> int | str:
    return int(value) if value.denominator == 1 else str(float(value))


def import_pb(*, actor, text: str, file_name: str, region: Region) -> Budget:
    """A budget with one district (``region``) from a `.pb` file, with its ballots if it has any.

    A file with ballots is an election already held: the budget starts closed, its ballots are
    stored without any slot, and it can be counted at once. Importing the same file twice returns
    the first budget.
    """
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    same = Budget.objects.filter(imported_from__endswith=digest).first()
    if same is not None:
        return same
    try:
        election = pbcore.parse_pb(text, source=file_name)
    except pbcore.PabulibFormatError as exc:
        raise ImportRefused(str(exc)) from None
    if election.ballot_format.value not in BallotFormat.values:
        raise ImportRefused(
            _(
                "%(file)s: %(format)s ballots are not supported; Civitas takes approval, "
                "knapsack and cumulative ballots."
            )
            % {"file": file_name, "format": election.ballot_format.value}
        )
    meta = election.meta
    rules = pbcore.ballot_rules(election)
    rule = pbcore.rule_from_meta(meta)
    title = meta.get("description") or " ".join(
        v for v in (meta.get("unit"), meta.get("subunit"), meta.get("instance")) if v
    )
    base = (
        slugify(
            "-".join(v for v in (meta.get("unit"), meta.get("subunit"), meta.get("instance")) if v)
        )[:60]
        or "imported-budget"
    )
    slug, n = base, 1
    while Budget.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    has_ballots = bool(election.ballots)
    with transaction.atomic():
        budget = Budget.objects.create(
            slug=slug,
            title=title[:200] or file_name,
            description=_("Imported from the Pabulib file %(file)s.") % {"file": file_name},
            # an election already held arrives closed; one without ballots is prepared as a draft
            status=BudgetStatus.CLOSED if has_ballots else BudgetStatus.DRAFT,
            currency=meta.get("currency", settings.CIVITAS_CURRENCY)[:8],
            minimum_age=settings.PARTICIPATION_MINIMUM_AGE,
            ballot_format=election.ballot_format.value,
            min_projects=_whole(rules.min_length) or 0,
            max_projects=_whole(rules.max_length),
            points=_whole(rules.max_sum_points),
            imported_from=f"{file_name[:120]} sha256:{digest}",
            **rule,
        )
        district = District.objects.create(
            budget=budget,
            region=region,
            amount=Decimal(str(_plain_number(election.budget))),
            meta={
                k: v
                for k, v in meta.items()
                if k not in {"budget", "num_projects", "num_votes", "vote_type"}
            },
        )
        Project.objects.bulk_create(
            [
                Project(
                    district=district,
                    code=p.project_id,
                    position=position,
                    title=(p.name or p.project_id)[:300],
                    cost=Decimal(str(_plain_number(p.cost))),
                    category=p.extra.get("category", "")[:120],
                    meta={k: v for k, v in p.extra.items() if k != "category"},
                )
                for position, p in enumerate(election.projects, start=1)
            ]
        )
        Ballot.objects.bulk_create(
            [
                Ballot(
                    budget=budget,
                    district=district,
                    choices=(
                        dict(
                            sorted(
                                zip(b.projects, (_plain_number(v) for v in b.points), strict=True)
                            )
                        )
                        if b.points is not None
                        else sorted(b.projects)
                    ),
                )
                for b in election.ballots
            ],
            batch_size=2000,
        )
        audit.record(
            actor=actor,
            action="participation:budget:imported",
            subject=budget,
            after={
                "file": file_name,
                "sha256": digest,
                "projects": len(election.projects),
                "ballots": len(election.ballots),
                "status": budget.status,
            },
        )
    return budget
