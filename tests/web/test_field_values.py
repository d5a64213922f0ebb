"""The shared form field shows a value in a form the same field reads back."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.template import Context, Template
from django.utils import translation


class _DateForm(forms.Form):
    starts = forms.DateField(label="Starts")


def test_a_date_shown_in_a_field_reads_back_as_the_same_date_in_every_language():
    template = Template("{% load design %}{% govuk_field form.starts %}")
    for language in ("en", "fr", "ar"):
        with translation.override(language):
            html = template.render(
                Context({"form": _DateForm(initial={"starts": date(2026, 12, 1)})})
            )
            shown = re.search(r'value="([^"]*)"', html).group(1)
            sent = _DateForm(data={"starts": shown})
            assert sent.is_valid(), (language, shown, sent.errors)
            assert sent.cleaned_data["starts"] == date(2026, 12, 1)
