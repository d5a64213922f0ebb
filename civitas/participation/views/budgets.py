"""Participatory budgets: projects by district, the secret ballot, results and their proof."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civitas.participation import charts
from civitas.participation.ballots import BallotRefused
from civitas.participation.forms import ballot_from_post
from civitas.participation.lifecycles import BudgetStatus
from civitas.participation.models.budgets import BallotFormat
from civitas.participation.selectors import budgets as selectors
from civitas.participation.services import budgets as services
from civitas.participation.views.common import require_sign_in

ADD1_LABELS = {
    "start_endowment": _lazy("Starting budget per voter"),
    "increment_per_voter": _lazy("Raised by, per step"),
    "stops_when": _lazy("Stops when"),
    "exhaustive_stop": _lazy("Also stops once every affordable project is funded"),
    "final_endowment": _lazy("Final budget per voter"),
    "increments_accepted": _lazy("Steps accepted"),
    "equal_shares_runs": _lazy("Equal Shares runs"),
    "increments_skipped_by_proof": _lazy("Steps skipped (proved not to change the outcome)"),
    "stopped_because": _lazy("Stopped because"),
    "over_budget_endowment": _lazy("First budget per voter that overspends"),
    "over_budget_cost": _lazy("Cost of that outcome"),
}


def budget(request, slug: str):
    found = selectors.budget_for(request.user, slug=slug)
    who = selectors.eligibility_of(request.user, found) if request.user.is_authenticated else None
    return render(
        request,
        "participation/budget.html",
        {
            "budget": found,
            "districts": selectors.districts_of(found),
            "eligibility": who,
            "voted": selectors.has_voted(request.user, found),
            "open": found.status == BudgetStatus.OPEN,
        },
    )


def _ballot_context(request, found, who, *, chosen, points, error=""):
    projects = list(who.district.projects.all()) if who and who.district else []
    return {
        "budget": found,
        "eligibility": who,
        "district": who.district if who else None,
        "projects": projects,
        "chosen": set(chosen),
        "points": points,
        "error": error,
        "voted": selectors.has_voted(request.user, found),
        "cumulative": found.ballot_format == BallotFormat.CUMULATIVE,
        "knapsack": found.ballot_format == BallotFormat.KNAPSACK,
    }


def vote(request, slug: str):
    found = selectors.budget_for(request.user, slug=slug)
    redirect_login = require_sign_in(request)
    if redirect_login:
        return redirect_login
    who = selectors.eligibility_of(request.user, found)
    if found.status != BudgetStatus.OPEN or not who.eligible:
        return render(
            request,
            "participation/vote.html",
            _ballot_context(request, found, who, chosen=[], points={}),
        )
    if request.method == "POST":
        codes = [p.code for p in who.district.projects.all()]
        raw = ballot_from_post(found.ballot_format, request.POST, codes)
        try:
            services.cast_ballot(voter=request.user, budget=found, choices=raw)
        except (BallotRefused, services.NotEligible) as exc:
            chosen = raw if isinstance(raw, list) else list(raw)
            points = raw if isinstance(raw, dict) else {}
            context = _ballot_context(
                request, found, who, chosen=chosen, points=points, error=str(exc)
            )
            return render(request, "participation/vote.html", context, status=400)
        messages.success(
            request,
            _(
                "Your vote is recorded. You can vote again until voting closes: only your last "
                "ballot counts. Nobody, including us, can see how you voted."
            ),
        )
        return redirect("participation:budget", slug=found.slug)
    return render(
        request,
        "participation/vote.html",
        _ballot_context(request, found, who, chosen=[], points={}),
    )


def results(request, slug: str):
    found = selectors.budget_for(request.user, slug=slug)
    items = []
    for item in selectors.results(found):
        chart = charts.bar_chart(
            f"result-{item.district.region.code}",
            title=_("Votes per project in %(district)s") % {"district": item.district.region.name},
            description=_("Each project's votes; the names of selected projects are in bold."),
            labels=[row.project.title for row in item.rows],
            series=[charts.Series(_("Votes"), [row.score for row in item.rows], charts.BLUE)],
            highlight=[row.selected for row in item.rows],
        )
        items.append({"item": item, "chart": chart})
    return render(
        request,
        "participation/budget_results.html",
        {"budget": found, "items": items, "tallied": found.status == BudgetStatus.TALLIED},
    )


def verification(request, slug: str, region: str):
    found = selectors.budget_for(request.user, slug=slug)
    item = selectors.result_for(request.user, budget=found, region_code=region)
    report = item.result.report
    titles = {p.code: p.title for p in item.district.projects.all()}
    steps = report.get("verification", {})
    rounds = [
        {**r, "title": titles.get(r["project"], "")}
        for r in steps.get("equal_shares", {}).get("rounds", [])
    ]
    greedy_steps = [{**s, "title": titles.get(s["project"], "")} for s in steps.get("greedy", [])]
    add1 = [
        (ADD1_LABELS.get(key, key), value)
        for key, value in {
            **report.get("rule", {}).get("add1", {}),
            **report.get("add1", {}),
        }.items()
    ]
    return render(
        request,
        "participation/verification.html",
        {
            "budget": found,
            "item": item,
            "report": report,
            "rounds": rounds,
            "greedy_steps": greedy_steps,
            "add1": add1,
        },
    )


def export_pb(request, slug: str, region: str):
    found = selectors.budget_for(request.user, slug=slug)
    district = selectors.district_for(found, region_code=region)
    response = HttpResponse(selectors.export_pb(district), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}-{region}.pb"'
    return response
