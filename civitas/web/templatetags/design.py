"""Rendering Django form fields as GOV.UK Frontend components, without JavaScript."""

from __future__ import annotations

from django import forms, template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi, get_language_info

register = template.Library()


@register.filter(needs_autoescape=True)
def in_lang(value, arg: str = "", autoescape: bool = True):
    """A text kept as data, marked with its own language when the page is in another one (WCAG
    3.1.2): ``<span lang="en" dir="ltr">`` around an English question on a French or Arabic page.
    ``{{ text|in_lang:"lines" }}`` also keeps its line breaks. Texts that do not know their
    language (plain strings) are shown as they are."""
    lang = getattr(value, "lang", "") or ""
    if arg == "lines":
        shown = linebreaksbr(value, autoescape=autoescape)
    else:
        shown = conditional_escape(value) if autoescape else value
    page = (get_language() or "").split("-")[0]
    if not lang or lang.split("-")[0] == page or not str(value):
        return mark_safe(shown)  # noqa: S308 - escaped above
    try:
        rtl = get_language_info(lang)["bidi"]
    except KeyError:
        rtl = False
    if rtl == get_language_bidi():
        return format_html('<span lang="{}">{}</span>', lang, shown)
    return format_html('<span lang="{}" dir="{}">{}</span>', lang, "rtl" if rtl else "ltr", shown)


@register.filter
def program_text(program, name: str):
    """A start page text of a programme in the reader's language where the studio has it
    (``{{ program|program_text:"name"|in_lang }}``)."""
    from civitas.programs.selectors import program_texts

    return program_texts(program)[name]


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
    value = field.value()
    if kind in ("input", "textarea"):
        # the widget's own input format (dates as YYYY-MM-DD), so what is shown reads back;
        # the template's default rendering would localise a date into words
        value = widget.format_value(value)
    return {
        "field": field,
        "kind": kind,
        "input_type": "text" if numeric else input_type,
        "inputmode": widget.attrs.get("inputmode") or ("decimal" if numeric else ""),
        "width_class": widget.attrs.get("class") or ("govuk-input--width-10" if numeric else ""),
        "spellcheck": widget.attrs.get("spellcheck") or ("false" if numeric else ""),
        "heading": heading,
        "value": value if value is not None else "",
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
