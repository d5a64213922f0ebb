"""The auditor's view of the trail: search, and export as CSV (the export is itself audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from civitas.audit import selectors
from civitas.audit.forms import TrailSearchForm
from civitas.audit.services import record_export, verify_chain


def _filters(request) -> tuple[TrailSearchForm, selectors.TrailFilters]:
    form = TrailSearchForm(request.GET or None)
    filters = selectors.TrailFilters()
    if form.is_valid():
        filters = selectors.TrailFilters(**form.cleaned_data)
    return form, filters


@login_required
def search(request):
    if not selectors.can_read_trail(request.user):
        raise Http404("Not found")
    form, filters = _filters(request)
    before = request.GET.get("before", "")
    rows, next_before = selectors.page(filters, before=int(before) if before.isdigit() else None)
    query = request.GET.copy()
    query.pop("before", None)
    verified = verify_chain() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "events": rows,
            "next_before": next_before,
            "query": query.urlencode(),
            "verified": verified,
        },
    )


@login_required
def export(request):
    if not selectors.can_read_trail(request.user):
        raise Http404("Not found")
    _form, filters = _filters(request)
    record_export(actor=request.user, filters=filters.as_dict())
    response = StreamingHttpResponse(selectors.csv_lines(filters), content_type="text/csv")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    return response
