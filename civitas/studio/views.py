"""Studio pages for policy authors and approvers. Views only call services and selectors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.programs import versioning
from civitas.studio import charts, selectors, services
from civitas.studio.errors import StudioRefused
from civitas.studio.forms import (
    CaseForm,
    ConsultForm,
    DetailsForm,
    FormJsonForm,
    NewProgrammeForm,
    NewVersionForm,
    ReviewForm,
    SimulateForm,
)
from civitas.studio.models import Simulation, SimulationStatus

# while a simulation is queued or running, its page asks again this often (no JavaScript)
REFRESH_SECONDS = 3


def _version(request, version_id):
    """The version, with its studio record (made on first opening for versions from elsewhere)."""
    version = selectors.version_for(request.user, version_id)
    if not hasattr(version, "studio"):
        services.ensure_workspace(actor=request.user, version=version)
        version = selectors.version_for(request.user, version_id)
    return version


def _studio_user(request) -> None:
    if not selectors.may_use_studio(request.user):
        raise Http404("Not found")


@login_required
def index(request):
    _studio_user(request)
    return render(
        request,
        "studio/index.html",
        {
            "programmes": selectors.programmes_for(request.user),
            "can_author": selectors.may_author(request.user),
        },
    )


@login_required
def new_programme(request):
    _studio_user(request)
    form = NewProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.start_emergency_programme(
                actor=request.user,
                slug=data["slug"],
                name=data["name"],
                start=data["start"],
                end=data["end"],
                reference=data["reference"],
            )
        except StudioRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("studio:version", version_id=version.pk)
    return render(request, "studio/new_programme.html", {"form": form})


@login_required
def new_version(request, slug):
    program = selectors.program_for(request.user, slug)
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.start_version(
                actor=request.user,
                program=program,
                template=data["template"],
                start=data["start"],
                end=data["end"],
                reference=data["reference"],
            )
        except StudioRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("studio:version", version_id=version.pk)
    return render(request, "studio/new_version.html", {"form": form, "program": program})


def _context(request, version, **extra):
    return {
        "version": version,
        "workspace": version.studio,
        "editable": versioning.is_editable(version),
        "can_author": selectors.may_author(request.user),
        "can_approve": selectors.may_approve(request.user),
        **extra,
    }


@login_required
def version(request, version_id):
    version = _version(request, version_id)
    checked = selectors.validate_rules(dict(version.rules), name=version.program.slug)
    report = selectors.run_tests(version)
    simulation = selectors.latest_simulation(version)
    live = simulation is not None and simulation.is_live
    context = _context(
        request,
        version,
        checked=checked,
        report=report,
        reasons=services.readiness(version) if version.status in ("draft", "in_review") else [],
        reviews=version.reviews.select_related("reviewer"),
        authors=version.authors.select_related("user"),
        is_author=request.user.pk in selectors.authors_of(version),
        simulation=simulation,
        # the page follows a simulation for whoever asked for it (see below)
        refreshes=live and not simulation.is_stale and simulation.run_by_id == request.user.pk,
        refresh_seconds=REFRESH_SECONDS,
        can_consult=simulation is not None
        and simulation.is_done
        and version.status in services.CONSULTABLE
        and simulation.revision == version.studio.revision,
        simulate_form=SimulateForm(initial={"period": _period_to_offer(version, simulation)}),
        review_form=ReviewForm(),
    )
    if simulation is not None and simulation.is_done:
        context["charts"] = _charts(simulation)
    response = render(request, "studio/version.html", context)
    if context["refreshes"]:
        # no JavaScript: the browser asks again until the simulation ends (as the proactive
        # enrolment run page does). Only for who asked for it, so nobody else typing a review
        # on this page loses their text; they see the progress when they reload.
        here = reverse("studio:version", args=[version.pk])
        response["Refresh"] = f"{REFRESH_SECONDS}; url={here}#simulation"
    return response


def _period_to_offer(version, simulation) -> str:
    """The month to simulate: the one that failed (to try again), else the version's first."""
    if simulation is not None and simulation.status == SimulationStatus.FAILED:
        return simulation.period
    return version.effective_from.strftime("%Y-%m")


def _charts(simulation: Simulation) -> dict:
    report = simulation.report
    return {
        "decile": charts.difference_chart(
            report["by_decile"], title=_("Change in monthly cost by income decile"), chart_id="dec"
        ),
        "region": charts.difference_chart(
            report["by_region"], title=_("Change in monthly cost by region"), chart_id="reg"
        ),
    }


def _posted_files(post) -> dict[str, str]:
    files = {}
    index = 0
    while f"path_{index}" in post:
        path = post[f"path_{index}"].strip()
        if path and not post.get(f"delete_{index}"):
            files[path] = post.get(f"text_{index}", "")
        index += 1
    new_path = post.get("new_path", "").strip()
    if new_path:
        files[new_path] = post.get("new_text", "")
    return files


@login_required
def edit_rules(request, version_id):
    version = _version(request, version_id)
    error = ""
    files = dict(sorted(version.rules.items()))
    revision = version.studio.revision
    checked = selectors.validate_rules(files, name=version.program.slug)
    if request.method == "POST":
        posted = _posted_files(request.POST)
        try:
            checked = services.save_rules(
                actor=request.user,
                version=version,
                revision=int(request.POST.get("revision", 0)),
                files=posted,
            )
        except (StudioRefused, ValueError) as exc:
            error = str(exc)
            files = dict(sorted(posted.items()))  # what they typed stays on the page
            revision = int(request.POST.get("revision", 0) or 0)
        else:
            if checked.ok:
                messages.success(request, _("Saved. The rules load without errors."))
                return redirect("studio:rules", version_id=version.pk)
            files = dict(sorted(posted.items()))
            revision = selectors.version_for(request.user, version.pk).studio.revision
    rows = [
        {"index": i, "path": path, "text": text, "problems": checked.problems.get(path, [])}
        for i, (path, text) in enumerate(files.items())
    ]
    return render(
        request,
        "studio/rules.html",
        _context(
            request,
            version,
            rows=rows,
            error=error,
            revision=revision,
            general=checked.problems.get("", []),
            loads=checked.ok,
        ),
    )


@login_required
def edit_form(request, version_id):
    version = _version(request, version_id)
    initial = {
        "revision": version.studio.revision,
        "form_text": json.dumps(version.form, indent=2, ensure_ascii=False),
    }
    form = FormJsonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_form(
                actor=request.user,
                version=version,
                revision=form.cleaned_data["revision"],
                form_text=form.cleaned_data["form_text"],
            )
        except StudioRefused as exc:
            form.add_error("form_text", str(exc))
        else:
            messages.success(request, _("The application form is saved."))
            return redirect("studio:version", version_id=version.pk)
    return render(request, "studio/form.html", _context(request, version, form=form))


@login_required
def edit_details(request, version_id):
    version = _version(request, version_id)
    languages = [(code, name) for code, name in settings.LANGUAGES]
    language = request.GET.get("language") or request.POST.get("language") or "en"
    texts = version.studio.texts.get(language) or version.studio.texts.get("en") or {}
    initial = {
        "revision": version.studio.revision,
        # as text: govuk_field draws the value as the template would, and a date object
        # would come out in the page's date format, which the date field does not read back
        "effective_from": version.effective_from.isoformat(),
        "legal_basis": version.legal_basis,
        "language": language,
        **texts,
    }
    form = DetailsForm(request.POST or None, initial=initial, languages=languages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_details(
                actor=request.user,
                version=version,
                revision=data["revision"],
                effective_from=data["effective_from"],
                legal_basis=data["legal_basis"],
                language=data["language"],
                texts=form.texts(),
            )
        except StudioRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("studio:version", version_id=version.pk)
    return render(request, "studio/details.html", _context(request, version, form=form))


@login_required
def tests(request, version_id):
    version = _version(request, version_id)
    form = CaseForm(request.POST or None, initial={"revision": version.studio.revision})
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                services.delete_case(
                    actor=request.user,
                    version=version,
                    revision=int(request.POST.get("revision", 0)),
                    case_id=int(request.POST["delete"]),
                )
                return redirect("studio:tests", version_id=version.pk)
            if form.is_valid():
                data = form.cleaned_data
                services.add_case(
                    actor=request.user,
                    version=version,
                    revision=data["revision"],
                    name=data["name"],
                    period=data["period"],
                    situation=data["situation"],
                    expected=data["expected"],
                    tolerance=data["tolerance"],
                )
                messages.success(request, _("Test case added."))
                return redirect("studio:tests", version_id=version.pk)
        except (StudioRefused, ValueError) as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "studio/tests.html",
        _context(
            request,
            version,
            form=form,
            cases=version.cases.all(),
            report=selectors.run_tests(version),
        ),
    )


@login_required
@require_POST
def simulate(request, version_id):
    version = _version(request, version_id)
    form = SimulateForm(request.POST)
    if form.is_valid():
        try:
            _run, started = services.start_simulation(
                actor=request.user, version=version, period=form.cleaned_data["period"]
            )
        except StudioRefused as exc:
            messages.error(request, str(exc))
        else:
            if started:
                messages.success(
                    request,
                    _(
                        "The simulation is queued. This page shows its progress and then its "
                        "results."
                    ),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "A simulation of this version is already under way: its progress is "
                        "shown below. Wait for it to end before running another."
                    ),
                )
    else:
        messages.error(request, _("Give the month as YYYY-MM."))
    return redirect(reverse("studio:version", args=[version.pk]) + "#simulation")


@login_required
def simulation_csv(request, simulation_id):
    run = selectors.simulation_for(request.user, simulation_id)
    if not run.is_done:
        raise Http404("Not found")  # no table until the simulation has finished
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "view",
            "group",
            "households",
            "baseline_total",
            "reform_total",
            "difference",
            "gainers",
            "losers",
        ]
    )
    for view, key in (("decile", "by_decile"), ("region", "by_region")):
        for g in run.report[key]:
            writer.writerow(
                [
                    view,
                    g["group"],
                    g["households"],
                    f"{g['baseline_total']:.2f}",
                    f"{g['reform_total']:.2f}",
                    f"{g['difference']:.2f}",
                    g["gainers"],
                    g["losers"],
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"simulation-{run.version.program.slug}-v{run.version.number}-{run.period}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def consult(request, simulation_id):
    """Open a public consultation on the simulated draft, with the impact attached."""
    run = selectors.simulation_for(request.user, simulation_id)
    version = _version(request, run.version_id)
    if not run.is_done:
        messages.error(
            request,
            _(
                "This simulation has not finished: wait for its results (or run it again if it "
                "failed) before opening a consultation."
            ),
        )
        return redirect(reverse("studio:version", args=[version.pk]) + "#simulation")
    program = version.program
    initial = {
        "title": _("Have your say: %(name)s, version %(n)s")
        % {"name": program.name, "n": version.number},
        "summary": _("A draft of %(name)s and what it would change for households.")
        % {"name": program.name},
        "closes_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    form = ConsultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.open_consultation(
                actor=request.user,
                simulation=run,
                title=data["title"],
                summary=data["summary"],
                closes_on=data["closes_on"],
            )
        except StudioRefused as exc:
            form.add_error(None, str(exc))
        else:
            consultation.refresh_from_db()
            if consultation.phase != "draft":  # the queue already published it
                messages.success(
                    request,
                    _("The consultation is open to the public, with the simulated impact."),
                )
                return redirect("participation:consultation", slug=consultation.slug)
            messages.success(
                request,
                _(
                    "The consultation is saved. Its impact is being computed over the registry "
                    "(a few minutes for a large one); it opens to the public when that is done."
                ),
            )
            return redirect("studio:consult", simulation_id=run.pk)
    return render(
        request,
        "studio/consult.html",
        _context(
            request,
            version,
            form=form,
            simulation=run,
            consultations=version.consultations.all(),
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def submit(request, version_id):
    version = _version(request, version_id)
    try:
        services.submit_for_review(actor=request.user, version=version)
    except (StudioRefused, versioning.TransitionRefused) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sent for review."))
    return redirect("studio:version", version_id=version.pk)


@login_required
@require_POST
def review(request, version_id):
    version = _version(request, version_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("studio:version", version_id=version.pk)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            status = services.approve(actor=request.user, version=version, comment=data["comment"])
            messages.success(
                request,
                _("Approved: in force now.")
                if status == "in_force"
                else _("Approved: it takes effect on %(date)s.")
                % {"date": version.effective_from.isoformat()},
            )
        else:
            services.return_for_changes(
                actor=request.user, version=version, comment=data["comment"]
            )
            messages.success(request, _("Returned to the authors."))
    except (StudioRefused, versioning.TransitionRefused) as exc:
        messages.error(request, str(exc))
    return redirect("studio:version", version_id=version.pk)
