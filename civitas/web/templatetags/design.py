"""Rendering Django form fields as GOV.UK Frontend components, without JavaScript."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.inclusion_tag("web/includes/field.html")
def govuk_field(field: forms.BoundField, heading: bool = False):
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkbox"
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
    elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        kind = "file"
    elif isinstance(widget, forms.PasswordInput):
        kind = "password"
    else:
        kind = "input"
    input_type = getattr(widget, "input_type", "text")
    numeric = isinstance(field.field, forms.IntegerField | forms.DecimalField)
    return {
        "field": field,
        "kind": kind,
        "input_type": "text" if numeric else input_type,
        "inputmode": widget.attrs.get("inputmode") or ("decimal" if numeric else ""),
        "width_class": widget.attrs.get("class") or ("govuk-input--width-10" if numeric else ""),
        "spellcheck": widget.attrs.get("spellcheck") or ("false" if numeric else ""),
        "heading": heading,
        "value": field.value() if field.value() is not None else "",
        "autocomplete": widget.attrs.get("autocomplete", ""),
    }


@register.inclusion_tag("web/includes/error_summary.html")
def govuk_error_summary(form: forms.Form):
    items = []
    for error in form.non_field_errors():
        items.append({"href": "", "text": error})
    for field in form:
        for error in field.errors:
            # radios have no single input: the summary links to the first one
            items.append({"href": f"#{field.id_for_label or field.auto_id}", "text": error})
    return {"items": items}


@register.filter
def money(value, currency: str = ""):
    """An amount in the reader's language: ``{{ amount|money }}`` → "1,250.50 CVT" in English,
    "1 250,50 CVT" in French. The currency defaults to ``CIVITAS_CURRENCY``."""
    from decimal import Decimal, InvalidOperation

    from django.conf import settings
    from django.utils import formats

    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    places = 0 if amount == amount.to_integral_value() else 2
    number = formats.number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{currency or settings.CIVITAS_CURRENCY}"


@register.filter
def long_date(value):
    """A date as people write it in the reader's language (Django's ``DATE_FORMAT``)."""
    from django.utils import formats

    return formats.date_format(value, "DATE_FORMAT") if value else ""
