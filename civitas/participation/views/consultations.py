"""Public pages: the participation hub, consultations, their documents, impact and comments."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.participation import charts
from civitas.participation.antispam import RateLimited
from civitas.participation.forms import CommentForm
from civitas.participation.lifecycles import COMMENTING_PHASES, PUBLIC_PHASES, Phase
from civitas.participation.permissions import can_moderate
from civitas.participation.selectors import budgets as budget_selectors
from civitas.participation.selectors import comments as comment_selectors
from civitas.participation.selectors import consultations as selectors
from civitas.participation.selectors import conversations as conversation_selectors
from civitas.participation.selectors import proposals as proposal_selectors
from civitas.participation.selectors import surveys as survey_selectors
from civitas.participation.services import comments as comment_services
from civitas.participation.views.common import idempotency_key


def index(request):
    return render(
        request,
        "participation/index.html",
        {
            "consultations": selectors.public_consultations()[:20],
            "proposals": proposal_selectors.public_proposals()[:5],
            "surveys": survey_selectors.public_surveys()[:10],
            "budgets": budget_selectors.public_budgets()[:10],
            "conversations": conversation_selectors.public_conversations()[:10],
            "staff": can_moderate(request.user),
        },
    )


def _steps(consultation):
    current = consultation.phase
    order = PUBLIC_PHASES
    reached = order.index(current) if current in order else -1
    dates = {p.phase: p.changed_at for p in consultation.phases.all()}
    return [
        {
            "label": Phase(phase).label,
            "state": "done" if i < reached else "current" if i == reached else "todo",
            "date": dates.get(phase),
        }
        for i, phase in enumerate(order)
    ]


def _detail_context(request, consultation, *, form=None, key=None):
    return {
        "consultation": consultation,
        "steps": _steps(consultation),
        "documents": consultation.documents.all(),
        "phases": consultation.phases.exclude(note=""),
        "thread": comment_selectors.thread(viewer=request.user, consultation=consultation),
        "commenting": consultation.phase in COMMENTING_PHASES,
        "form": form or CommentForm(),
        "idempotency_key": key or idempotency_key(request),
        "surveys": consultation.surveys.exclude(status="draft"),
        "conversations": consultation.conversations.exclude(status="draft"),
        "proposals": proposal_selectors.public_proposals(consultation=consultation)[:10],
        "impact": selectors.latest_impact(consultation) if consultation.program_version else None,
    }


def consultation(request, slug: str):
    found = selectors.consultation_for(request.user, slug=slug)
    return render(request, "participation/consultation.html", _detail_context(request, found))


def document(request, slug: str, document_slug: str):
    found = selectors.consultation_for(request.user, slug=slug)
    doc = get_object_or_404(found.documents, slug=document_slug)
    return render(request, "participation/document.html", {"consultation": found, "doc": doc})


@login_required
@require_POST
def post_comment(request, slug: str):
    found = selectors.consultation_for(request.user, slug=slug)
    form = CommentForm(request.POST)
    key = idempotency_key(request)
    if form.is_valid():
        try:
            outcome = comment_services.post_comment(
                author=request.user,
                consultation=found,
                body=form.cleaned_data["body"],
                idempotency_key=key,
            )
        except (comment_services.CommentRefused, RateLimited) as exc:
            form.add_error("body", str(exc))
        else:
            tell_status(request, outcome.comment)
            url = reverse("participation:consultation", args=[found.slug])
            return redirect(f"{url}#comment-{outcome.comment.pk}")
    context = _detail_context(request, found, form=form, key=key)
    return render(request, "participation/consultation.html", context, status=400)


def tell_status(request, comment) -> None:
    if comment.status == "held":
        messages.success(
            request,
            _(
                "Thank you. Your first post is checked by a moderator before it appears, usually "
                "within a working day. You can see it below meanwhile."
            ),
        )
    else:
        messages.success(request, _("Your comment has been published."))


# --- impact of a draft rule ------------------------------------------------------------------
def _money(value: float) -> float:
    return round(float(value), 2)


def impact_charts(result: dict, currency: str) -> dict:
    """The charts of an impact run, each with the rows of its data table."""
    deciles = result["by_decile"]
    regions = result["by_region"]
    decile_labels = [_("Decile %(n)s") % {"n": d["decile"]} for d in deciles]
    return {
        "people": charts.bar_chart(
            "impact-deciles",
            title=_("Households better off and worse off, by income decile"),
            description=_(
                "For each tenth of households ranked by income per person (decile 1 is the "
                "poorest), how many would receive more and how many less under the draft."
            ),
            labels=decile_labels,
            series=[
                charts.Series(_("Better off"), [d["gainers"] for d in deciles], charts.GREEN),
                charts.Series(_("Worse off"), [-d["losers"] for d in deciles], charts.RED),
            ],
        ),
        "mean": charts.bar_chart(
            "impact-mean",
            title=_("Average monthly change per household, by income decile"),
            description=_("The average change in %(currency)s per household in each decile.")
            % {"currency": currency},
            labels=decile_labels,
            series=[charts.Series(currency, [_money(d["change_mean"]) for d in deciles])],
        ),
        "regions": charts.bar_chart(
            "impact-regions",
            title=_("Monthly cost of the change, by region"),
            description=_("The total monthly change in payments in each region, in %(currency)s.")
            % {"currency": currency},
            labels=[r["name"] for r in regions],
            series=[charts.Series(currency, [_money(r["change_total"]) for r in regions])],
        ),
    }


def impact(request, slug: str):
    found = selectors.consultation_for(request.user, slug=slug)
    if found.program_version is None:
        raise Http404("This consultation is not about rules")
    run = selectors.latest_impact(found)
    currency = settings.CIVITAS_CURRENCY
    mine = (
        selectors.household_change(found, request.user) if request.user.is_authenticated else None
    )
    return render(
        request,
        "participation/impact.html",
        {
            "consultation": found,
            "run": run,
            "result": run.result if run else None,
            "charts": impact_charts(run.result, currency) if run else None,
            "currency": currency,
            "mine": mine,
        },
    )
