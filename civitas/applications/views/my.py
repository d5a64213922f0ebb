"""A person's own pages: everything we hold about them (to read and to download), asking for a
correction, their messages and how to reach them, and the apps and tokens that act for them."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civitas.applications import selectors, services
from civitas.applications.models import SCOPES, CorrectionTopic
from civitas.notify import services as notify
from civitas.notify.selectors import contact_preference_of, messages_for


@login_required
def data(request):
    return render(
        request, "applications/my_data.html", {"data": selectors.personal_data_of(request.user)}
    )


@login_required
def data_json(request):
    payload = selectors.personal_data_of(request.user)
    response = HttpResponse(
        json.dumps(payload, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="civitas-my-data-{stamp}.json"'
    return response


class CorrectionForm(forms.Form):
    topic = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"),
        choices=CorrectionTopic.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select what is wrong")},
    )
    details = forms.CharField(
        label=gettext_lazy("Tell us what is wrong and what it should say"),
        help_text=gettext_lazy(
            "For example: my son Yusuf's date of birth is 8 February 2021, not 2012."
        ),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Enter what is wrong and what it should say"),
            "max_length": gettext_lazy("Enter 2000 characters or fewer"),
        },
    )


@login_required
def correction(request):
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_correction(
            user=request.user,
            topic=form.cleaned_data["topic"],
            details=form.cleaned_data["details"],
        )
        messages.success(
            request,
            _("We have your request. We will tell you what we changed, usually within 30 days."),
        )
        return redirect("my:data")
    return render(request, "applications/my_correction.html", {"form": form})


class ContactForm(forms.Form):
    mobile_number = forms.CharField(
        label=gettext_lazy("Mobile number"),
        help_text=gettext_lazy("With the country code, like +250 700 123 456"),
        required=False,
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    sms_enabled = forms.ChoiceField(
        label=gettext_lazy("Do you want a text message when there is news about an application?"),
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select yes or no")},
    )


@login_required
def inbox(request):
    """Every message we sent, by email or text, readable here too."""
    preference = contact_preference_of(request.user)
    initial = {
        "mobile_number": preference.mobile_number if preference else "",
        "sms_enabled": "yes" if preference and preference.sms_enabled else "no",
    }
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notify.set_contact_preference(
                user=request.user,
                mobile_number=form.cleaned_data["mobile_number"],
                sms_enabled=form.cleaned_data["sms_enabled"] == "yes",
            )
        except ValueError as exc:
            form.add_error("mobile_number", str(exc))
        else:
            messages.success(request, _("Your choice about text messages is saved."))
            return redirect("my:messages")
    return render(
        request,
        "applications/my_messages.html",
        {"messages_sent": messages_for(request.user)[:200], "form": form},
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("So you can recognise it later, for example “My budgeting app”."),
        max_length=100,
        error_messages={"required": gettext_lazy("Enter a name for the token")},
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What may it do?"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Select what the token may do")},
    )
    expires_in_days = forms.TypedChoiceField(
        label=gettext_lazy("How long should it work?"),
        choices=[
            ("30", gettext_lazy("30 days")),
            ("90", gettext_lazy("90 days")),
            ("365", gettext_lazy("1 year")),
        ],
        coerce=int,
        initial="90",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select how long the token should work")},
    )


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.create_personal_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        form = TokenForm()
    return render(
        request,
        "applications/my_tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": selectors.tokens_of(request.user),
            "scopes": SCOPES,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = selectors.token_of(user=request.user, token_id=token_id)
    services.revoke_token(token=token, actor=request.user)
    messages.success(request, _("Access has been removed. The token no longer works."))
    return redirect("my:tokens")
