"""Proposals: the list, submitting one, supporting one, and its discussion."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.participation.antispam import RateLimited
from civitas.participation.forms import CommentForm, ProposalForm
from civitas.participation.lifecycles import ProposalStatus
from civitas.participation.permissions import is_citizen
from civitas.participation.selectors import comments as comment_selectors
from civitas.participation.selectors import proposals as selectors
from civitas.participation.services import comments as comment_services
from civitas.participation.services import proposals as services
from civitas.participation.views.common import idempotency_key, int_or_404, problem
from civitas.participation.views.consultations import tell_status
from civitas.registry.models import Region

FILTERS = [
    ProposalStatus.OPEN,
    ProposalStatus.AWAITING_ANSWER,
    ProposalStatus.UNDER_STUDY,
    ProposalStatus.ACCEPTED,
    ProposalStatus.REJECTED,
    ProposalStatus.IMPLEMENTED,
]


def proposals(request):
    status = request.GET.get("status") or None
    return render(
        request,
        "participation/proposals.html",
        {
            "proposals": selectors.public_proposals(status=status)[:200],
            "status": status,
            "filters": [(s, ProposalStatus(s).label) for s in FILTERS],
        },
    )


@login_required
def new_proposal(request):
    form = ProposalForm(request.POST or None)
    key = idempotency_key(request)
    if request.method == "POST" and form.is_valid():
        region = Region.objects.filter(code=form.cleaned_data["region"]).first()
        try:
            outcome = services.submit_proposal(
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                region=region,
                idempotency_key=key,
            )
        except (services.ProposalRefused, RateLimited) as exc:
            form.add_error(None, str(exc))
        else:
            if outcome.proposal.status == ProposalStatus.HELD:
                messages.success(
                    request,
                    _("Thank you. A moderator checks first proposals before they are published."),
                )
            else:
                messages.success(
                    request, _("Your proposal is published. Share it to gather support.")
                )
            return redirect("participation:proposal", pk=outcome.proposal.pk)
    return render(
        request,
        "participation/proposal_new.html",
        {"form": form, "idempotency_key": key, "can_propose": is_citizen(request.user)},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request, proposal, *, form=None, key=None, status=200):
    return render(
        request,
        "participation/proposal.html",
        {
            "proposal": proposal,
            "supported": selectors.has_supported(request.user, proposal),
            "can_support": is_citizen(request.user),
            "progress": min(100, round(100 * proposal.support_count / proposal.support_threshold)),
            "thread": comment_selectors.thread(viewer=request.user, proposal=proposal),
            "form": form or CommentForm(),
            "idempotency_key": key or idempotency_key(request),
            "commenting": proposal.status not in {ProposalStatus.HELD, ProposalStatus.HIDDEN},
        },
        status=status,
    )


def proposal(request, pk: int):
    found = selectors.proposal_for(request.user, pk=int_or_404(pk))
    return _detail(request, found)


@login_required
@require_POST
def support(request, pk: int):
    found = selectors.proposal_for(request.user, pk=int_or_404(pk))
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_support(user=request.user, proposal=found)
            messages.success(request, _("Your support has been withdrawn."))
        else:
            services.support(user=request.user, proposal=found)
            messages.success(request, _("Thank you for your support."))
    except services.ProposalRefused as exc:
        return problem(request, str(exc), reverse("participation:proposal", args=[found.pk]))
    return redirect("participation:proposal", pk=found.pk)


@login_required
@require_POST
def post_comment(request, pk: int):
    found = selectors.proposal_for(request.user, pk=int_or_404(pk))
    form = CommentForm(request.POST)
    key = idempotency_key(request)
    if form.is_valid():
        try:
            outcome = comment_services.post_comment(
                author=request.user,
                proposal=found,
                body=form.cleaned_data["body"],
                idempotency_key=key,
            )
        except (comment_services.CommentRefused, RateLimited) as exc:
            form.add_error("body", str(exc))
        else:
            tell_status(request, outcome.comment)
            url = reverse("participation:proposal", args=[found.pk])
            return redirect(f"{url}#comment-{outcome.comment.pk}")
    return _detail(request, found, form=form, key=key, status=400)
