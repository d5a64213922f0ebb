"""Opinion-map conversations: vote on statements one at a time, add your own, see the map."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.participation import maps
from civitas.participation.antispam import RateLimited
from civitas.participation.forms import StatementForm
from civitas.participation.lifecycles import Contribution, OpenClosed
from civitas.participation.models.conversations import Opinion
from civitas.participation.permissions import is_citizen
from civitas.participation.selectors import conversations as selectors
from civitas.participation.services import conversations as services
from civitas.participation.views.common import idempotency_key, int_or_404, problem


def _page(request, found, *, form=None, key=None, status=200):
    done, total = selectors.progress(found, request.user)
    return render(
        request,
        "participation/conversation.html",
        {
            "conversation": found,
            "statement": selectors.next_statement(found, request.user),
            "done": done,
            "total": total,
            "open": found.status == OpenClosed.OPEN,
            "can_take_part": is_citizen(request.user),
            "form": form or StatementForm(),
            "idempotency_key": key or idempotency_key(request),
            "opinions": [
                (Opinion.AGREE, _("Agree")),
                (Opinion.DISAGREE, _("Disagree")),
                (Opinion.PASS, _("Pass / unsure")),
            ],
            "participants": selectors.participants(found),
        },
        status=status,
    )


def conversation(request, slug: str):
    return _page(request, selectors.conversation_for(request.user, slug=slug))


@login_required
@require_POST
def vote(request, slug: str, pk: int):
    found = selectors.conversation_for(request.user, slug=slug)
    statement = selectors.statement_in(found, pk=int_or_404(pk))
    try:
        services.vote(
            participant=request.user,
            statement=statement,
            value=int_or_404(request.POST.get("value")),
        )
    except services.ConversationRefused as exc:
        return problem(request, str(exc), reverse("participation:conversation", args=[slug]))
    return redirect("participation:conversation", slug=slug)


@login_required
@require_POST
def add_statement(request, slug: str):
    found = selectors.conversation_for(request.user, slug=slug)
    form = StatementForm(request.POST)
    key = idempotency_key(request)
    if form.is_valid():
        try:
            outcome = services.add_statement(
                author=request.user,
                conversation=found,
                text=form.cleaned_data["text"],
                idempotency_key=key,
            )
        except (services.ConversationRefused, RateLimited) as exc:
            form.add_error("text", str(exc))
        else:
            if outcome.statement.status == Contribution.HELD:
                messages.success(
                    request,
                    _("Thank you. A moderator checks first posts before others can vote on them."),
                )
            else:
                messages.success(request, _("Your statement is added: others can now vote on it."))
            return redirect("participation:conversation", slug=slug)
    return _page(request, found, form=form, key=key, status=400)


def opinion_map(request, slug: str):
    found = selectors.conversation_for(request.user, slug=slug)
    view = maps.map_for(found, viewer=request.user)
    return render(
        request,
        "participation/opinion_map.html",
        {"conversation": found, "map": view, "tallies": selectors.tallies(found)},
    )
