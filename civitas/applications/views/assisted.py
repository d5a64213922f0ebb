"""Assisted digital: a caseworker or a registered intermediary applies for someone, with that
person's consent recorded. The pages that follow are the same question pages the person would use.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civitas.applications import selectors, services
from civitas.applications.models import ConsentMethod
from civitas.applications.views.applying import continue_url
from civitas.programs import selectors as program_selectors
from civitas.registry.models import Person

SALT = "civitas.applications.on_behalf"
TOKEN_AGE = 30 * 60  # seconds a found person stays selected


class FindPersonForm(forms.Form):
    national_id = forms.CharField(
        label=gettext_lazy("National ID number of the person you are helping"),
        help_text=gettext_lazy("10 digits, on their ID card. For example, 0990000011"),
        max_length=20,
        error_messages={"required": gettext_lazy("Enter the person's national ID number")},
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Their date of birth"),
        help_text=gettext_lazy("For example, 12/04/1991"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        error_messages={
            "required": gettext_lazy("Enter the person's date of birth"),
            "invalid": gettext_lazy("Enter a real date, for example 12/04/1991"),
        },
    )


class OnBehalfForm(forms.Form):
    program = forms.ChoiceField(
        label=gettext_lazy("What are they applying for?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select the benefit they are applying for")},
    )
    consent_method = forms.ChoiceField(
        label=gettext_lazy("How did they give their consent?"),
        choices=[(v, label) for v, label in ConsentMethod.choices if v != ConsentMethod.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Select how the person gave their consent")},
    )
    consent_detail = forms.CharField(
        label=gettext_lazy("Where is the consent kept? (optional)"),
        help_text=gettext_lazy("For example, the reference of the signed form."),
        required=False,
        max_length=300,
    )
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "I have explained what will happen with their information, and they agree that I "
            "apply for them"
        ),
        error_messages={"required": gettext_lazy("Confirm that the person agrees")},
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.slug, p.name) for p in programs]


def _helper_only(request) -> None:
    if not selectors.can_apply_on_behalf(request.user):
        raise Http404("Not found")


@login_required
def find_person(request):
    _helper_only(request)
    form = FindPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = selectors.person_to_assist(
            helper=request.user,
            national_id=form.cleaned_data["national_id"],
            birth_date=form.cleaned_data["birth_date"],
        )
        if person is None:
            form.add_error(
                None,
                _(
                    "We could not find a person with this national ID number and date of birth. "
                    "Check both with the person's ID card."
                ),
            )
        else:
            token = signing.dumps({"person": person.pk, "helper": request.user.pk}, salt=SALT)
            return redirect("applications:on_behalf_start", token=token)
    return render(
        request,
        "applications/on_behalf_find.html",
        {"form": form, "made": selectors.applications_made_for_others(request.user)[:20]},
    )


def _person_from(request, token: str) -> Person:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_AGE)
    except signing.BadSignature:
        raise Http404("Not found") from None
    if data.get("helper") != request.user.pk:
        raise Http404("Not found")
    person = Person.objects.filter(pk=data.get("person")).first()
    if person is None:
        raise Http404("Not found")
    return person


@login_required
def start(request, token: str):
    _helper_only(request)
    person = _person_from(request, token)
    programs = list(program_selectors.published_programs())
    form = OnBehalfForm(request.POST or None, programs=programs)
    key = request.POST.get("idempotency_key", "")[:100] or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        program = program_selectors.published_program(form.cleaned_data["program"])
        outcome = services.start_on_behalf(
            helper=request.user,
            person=person,
            program=program,
            idempotency_key=key,
            consent_method=form.cleaned_data["consent_method"],
            consent_detail=form.cleaned_data["consent_detail"],
        )
        return redirect(continue_url(outcome.application))
    return render(
        request,
        "applications/on_behalf_start.html",
        {"person": person, "form": form, "idempotency_key": key},
    )
