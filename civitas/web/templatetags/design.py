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
        "inputmode": "decimal" if numeric else "",
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
            items.append({"href": f"#{field.id_for_label}", "text": error})
    return {"items": items}
