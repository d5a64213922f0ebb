"""Replying to, endorsing and reporting contributions; the public moderation policy and log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.participation.antispam import RateLimited
from civitas.participation.forms import CommentForm, ReportForm
from civitas.participation.lifecycles import PUBLIC_PROPOSAL_STATES, ProposalStatus
from civitas.participation.models.comments import ContentKind
from civitas.participation.selectors import comments as selectors
from civitas.participation.selectors import conversations as conversation_selectors
from civitas.participation.selectors import proposals as proposal_selectors
from civitas.participation.services import comments as services
from civitas.participation.views.common import idempotency_key, int_or_404, problem
from civitas.participation.views.consultations import tell_status


def thread_url(comment) -> str:
    if comment.consultation_id:
        base = reverse("participation:consultation", args=[comment.consultation.slug])
    else:
        base = reverse("participation:proposal", args=[comment.proposal_id])
    return f"{base}#comment-{comment.pk}"


@login_required
def reply(request, pk: int):
    parent = selectors.published_comment(request.user, pk=pk)
    form = CommentForm(request.POST or None)
    key = idempotency_key(request)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.post_comment(
                author=request.user,
                consultation=parent.consultation,
                proposal=parent.proposal,
                parent=parent,
                body=form.cleaned_data["body"],
                idempotency_key=key,
            )
        except (services.CommentRefused, RateLimited) as exc:
            form.add_error("body", str(exc))
        else:
            tell_status(request, outcome.comment)
            return redirect(thread_url(outcome.comment))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "participation/reply.html",
        {"parent": parent, "form": form, "idempotency_key": key, "back": thread_url(parent)},
        status=status,
    )


@login_required
@require_POST
def endorse(request, pk: int):
    comment = selectors.published_comment(request.user, pk=pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_endorsement(user=request.user, comment=comment)
        else:
            services.endorse(user=request.user, comment=comment)
    except services.CommentRefused as exc:
        return problem(request, str(exc), thread_url(comment))
    return redirect(thread_url(comment))


def _reportable(request, kind: str, pk: int):
    """(text shown, where to go back) for a contribution the viewer can see."""
    if kind == ContentKind.COMMENT:
        comment = selectors.published_comment(request.user, pk=pk)
        return comment.body, thread_url(comment)
    if kind == ContentKind.PROPOSAL:
        proposal = proposal_selectors.proposal_for(request.user, pk=pk)
        if (
            proposal.status not in PUBLIC_PROPOSAL_STATES
            or proposal.status == ProposalStatus.HIDDEN
        ):
            raise Http404("Not found")
        return proposal.title, reverse("participation:proposal", args=[pk])
    if kind == ContentKind.STATEMENT:
        statement = conversation_selectors.published_statement(pk=pk)
        return statement.text, reverse(
            "participation:conversation", args=[statement.conversation.slug]
        )
    raise Http404("Not found")


@login_required
def report(request, kind: str, pk: int):
    pk = int_or_404(pk)
    text, back = _reportable(request, kind, pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report(
            reporter=request.user,
            kind=kind,
            object_id=pk,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(
            request, _("Thank you. A moderator will look at it against the moderation policy.")
        )
        return redirect(back)
    return render(
        request,
        "participation/report.html",
        {"form": form, "text": text, "back": back},
        status=400 if request.method == "POST" else 200,
    )


def moderation_policy(request):
    return render(request, "participation/moderation_policy.html")


def moderation_log(request):
    return render(
        request, "participation/moderation_log.html", {"entries": selectors.moderation_log()}
    )
