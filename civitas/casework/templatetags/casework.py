"""Template helpers of the back office: a GOV.UK select built in Python (the queue page draws
many of them, and the template language is slow at loops of options)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def govuk_select(field) -> SafeString:
    """A labelled ``<select>`` for a choice field, with its error message when it has one."""
    current = field.value()
    current = "" if current is None else str(current)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )
    error_id = f"{field.auto_id}-error"
    error = (
        format_html(
            '<p id="{}" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>',
            error_id,
            _("Error:"),
            " ".join(field.errors),
        )
        if field.errors
        else ""
    )
    return format_html(
        '<div class="govuk-form-group{}"><label class="govuk-label" for="{}">{}</label>{}'
        '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select></div>',
        " govuk-form-group--error" if field.errors else "",
        field.id_for_label,
        field.label,
        error,
        " govuk-select--error" if field.errors else "",
        field.id_for_label,
        field.html_name,
        format_html(' aria-describedby="{}"', error_id) if field.errors else "",
        options,
    )
