"""Public API: the rules engine over HTTP, on the version of a programme in force.

``POST /api/v1/rules/{programme}/calculate`` takes an OpenFisca-style situation (``persons``,
``households`` with ``adults``/``children``, values by period, ``null`` for what to compute) and answers
in OpenFisca's ``/calculate`` shape, so clients written for OpenFisca work unchanged.
``POST /api/v1/rules/{programme}/explain`` computes the same and adds the explanation tree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from django.http import HttpResponse
from ninja import Body, Query, Router, Schema
from ninja.errors import HttpError

from civitas import rules
from civitas.programs import selectors
from civitas.programs.assessment import rules_for

router = Router(tags=["Rules"])


class ExplainQuery(Schema):
    period: str | None = None  # YYYY-MM; defaults to the current month


def _json(data: dict[str, Any]) -> Any:
    """The answer encoded with orjson, several times faster than the standard encoder on
    an explanation tree. What orjson refuses (an integer beyond 64 bits echoed from the
    situation) goes through the API's usual encoder instead."""
    try:
        return HttpResponse(orjson.dumps(data), content_type="application/json")
    except orjson.JSONEncodeError:
        return data


def _programme(slug: str) -> rules.Programme:
    program = selectors.published_program(slug)  # 404 when unknown or unpublished
    version = selectors.version_in_force(program)
    try:
        return rules_for(version)
    except (
        rules.RulesError
    ) as exc:  # a stored version that does not load is our fault, said plainly
        raise HttpError(503, f"The rules of {slug} cannot be used right now: {exc}") from None


@router.post(
    "/{programme}/calculate",
    response={200: dict[str, Any]},
    summary="Compute the null values of a situation (OpenFisca /calculate)",
)
def calculate(request, programme: str, situation: dict[str, Any] = Body(...)):
    engine = _programme(programme)
    try:
        return _json(rules.calculate_response(engine, situation))
    except rules.RulesError as exc:
        raise HttpError(400, str(exc)) from None


@router.post(
    "/{programme}/explain",
    response={200: dict[str, Any]},
    summary="Compute a situation and explain each value, with the legal references used",
)
def explain(
    request,
    programme: str,
    situation: dict[str, Any] = Body(...),
    query: ExplainQuery = Query(...),
):
    engine = _programme(programme)
    period = query.period or date.today().strftime("%Y-%m")
    try:
        determination = rules.explain(engine, situation, period)
    except rules.RulesError as exc:
        raise HttpError(400, str(exc)) from None
    try:
        return HttpResponse(determination.to_json(), content_type="application/json")
    except orjson.JSONEncodeError:
        return determination.to_dict()
