"""Staff pages for citizens' requests for correction: the queue, and one request to resolve.

Included from ``civitas/casework/urls.py`` under ``corrections/``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civitas.casework.selectors.corrections import correction_for_staff, corrections_queue
from civitas.casework.selectors.scope import can_decide
from civitas.casework.services.corrections import resolve_correction
from civitas.casework.views.common import READABLE_ERRORS


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        widget=forms.RadioSelect,
        choices=[
            ("corrected", gettext_lazy("Corrected: we changed what we hold")),
            ("refused", gettext_lazy("Refused: what we hold is right, or we cannot change it")),
        ],
        error_messages={"required": gettext_lazy("Select whether you corrected it")},
    )
    reason = forms.CharField(
        label=gettext_lazy("What you changed, or why you did not"),
        help_text=gettext_lazy(
            "The person reads this. Say what you checked and, if you refuse, why."
        ),
        widget=forms.Textarea,
        max_length=5000,
        error_messages={
            "required": gettext_lazy("Enter what you changed, or why you did not change it")
        },
    )


def _require_staff(request) -> None:
    if not can_decide(request.user):
        raise Http404("Not found")


@login_required
def queue(request):
    _require_staff(request)
    show = "resolved" if request.GET.get("show") == "resolved" else "open"
    return render(
        request,
        "casework/corrections.html",
        {"requests": corrections_queue(request.user, show=show)[:200], "show": show},
    )


@login_required
def resolve(request, pk: int):
    _require_staff(request)
    item = correction_for_staff(request.user, pk=pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and item.status == "open" and form.is_valid():
        try:
            resolve_correction(
                actor=request.user,
                pk=item.pk,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except READABLE_ERRORS as exc:
            form.add_error(None, str(exc))
        except PermissionDenied:
            form.add_error(None, _("You cannot resolve this request."))
        else:
            messages.success(request, _("Request resolved. The person has been told."))
            return redirect("casework:corrections")
    return render(request, "casework/correction.html", {"item": item, "form": form})
