"""Templates for emergencies: a rules folder that needs only parameters.

* ``flat_payment`` — a new programme: a flat monthly payment (plus an amount per member) to
  households in the regions a decree lists, under an income limit, from a start to an end date.
* ``top_up`` — a new version of an existing programme: its amount raised by a rate and a flat sum
  for a period; nothing changes for people who get nothing today.
* ``one_off`` — a new version of an existing programme: a single extra payment in one month to
  everyone the programme pays that month (its existing beneficiaries in the payment cycle).

Each template returns ``{path: YAML text}`` ready for ``rules.load_from_mapping``; the dated
values carry the legal reference the author gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from string import Template

from django.utils.translation import gettext_lazy as _

FLAT_DIR = Path(__file__).parent / "flat_payment"


@dataclass(frozen=True)
class EmergencyTemplate:
    key: str
    title: str
    description: str
    needs_base: bool  # builds on an existing programme's rules


TEMPLATES = {
    "flat_payment": EmergencyTemplate(
        "flat_payment",
        _("Flat emergency payment"),
        _("A new programme: a flat monthly amount to households in listed regions."),
        False,
    ),
    "top_up": EmergencyTemplate(
        "top_up",
        _("Top-up of an existing benefit"),
        _("A new version of a programme: its amount raised for a period."),
        True,
    ),
    "one_off": EmergencyTemplate(
        "one_off",
        _("One-off payment to existing beneficiaries"),
        _("A new version of a programme: one extra payment in one month."),
        True,
    ),
}


class TemplateError(ValueError):
    """A template cannot be built from what was given; the message says why."""


def _values(start: date, end: date, reference: str) -> dict[str, str]:
    if end < start:
        raise TemplateError(_("The end date must be on or after the start date."))
    return {
        # parameters are read on the first day of the month computed: a payment starts with the
        # month its first day falls in
        "start": start.replace(day=1).isoformat(),
        "after_end": (end + timedelta(days=1)).isoformat(),
        "start_month": start.strftime("%Y-%m"),
        "reference": _yaml_text(reference),
    }


def _yaml_text(text: str) -> str:
    """A one-line plain scalar that YAML reads back as the same text."""
    cleaned = " ".join(text.split()).replace('"', "'")
    return f'"{cleaned}"' if cleaned else '"(reference to add)"'


def flat_payment(*, slug: str, label: str, start: date, end: date, reference: str) -> dict:
    values = _values(start, end, reference) | {"slug": slug, "label": _yaml_text(label)}
    files = {}
    for path in sorted(FLAT_DIR.rglob("*.yaml")):
        rel = path.relative_to(FLAT_DIR).as_posix()
        files[rel] = Template(path.read_text(encoding="utf-8")).substitute(values)
    return files


_AMOUNT_KEY = re.compile(r"^amount:", re.MULTILINE)

_EXTRA_VARIABLES = """\
regular_amount_raised:
  entity: household
  type: float
  period: month
  unit: CVT
  label: The regular amount with the $what
  reference: $reference
  formula: |
    if regular_amount > 0
    then round(regular_amount * (1 + $prefix.rate) + $prefix.flat_amount, 2)
    else 0
amount:
  entity: household
  type: float
  period: month
  unit: CVT
  label: Monthly amount, with the $what
  reference: $reference
  formula: regular_amount_raised
"""

_EXTRA_PARAMETERS = """\
description: $what ($reference)
rate:
  description: Share of the regular amount added
  unit: /1
  values:
    2000-01-01: {value: 0, reference: $reference}
    $start: {value: $rate, reference: $reference}
    $after_end: {value: 0, reference: $reference}
flat_amount:
  description: Amount added to every payment
  unit: CVT
  values:
    2000-01-01: {value: 0, reference: $reference}
    $start: {value: $flat, reference: $reference}
    $after_end: {value: 0, reference: $reference}
"""


def _on_base(
    base: dict[str, str], *, prefix: str, what: str, start, end, reference, rate, flat
) -> dict:
    holders = [
        rel
        for rel, text in base.items()
        if (rel.startswith("variables/") or rel.startswith("variables.y"))
        and _AMOUNT_KEY.search(text)
    ]
    if len(holders) != 1:
        raise TemplateError(_("The programme's rules must define 'amount' in one variables file."))
    files = dict(base)  # its tests stay: they are dated before the change
    files[holders[0]] = _AMOUNT_KEY.sub("regular_amount:", files[holders[0]], count=1)
    values = _values(start, end, reference) | {
        "prefix": prefix,
        "what": what,
        "rate": repr(float(rate)),
        "flat": repr(float(flat)),
    }
    files[f"variables/{prefix}.yaml"] = Template(_EXTRA_VARIABLES).substitute(values)
    files[f"parameters/{prefix}.yaml"] = Template(_EXTRA_PARAMETERS).substitute(values)
    return files


def top_up(*, base: dict[str, str], start: date, end: date, reference: str) -> dict:
    """A rate of 10% and no flat amount to start with: the author sets both."""
    return _on_base(
        base,
        prefix="top_up",
        what="emergency top-up",
        start=start,
        end=end,
        reference=reference,
        rate=0.1,
        flat=0,
    )


def one_off(*, base: dict[str, str], month: date, reference: str) -> dict:
    """One extra flat payment in the month of ``month``, to everyone paid that month."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return _on_base(
        base,
        prefix="one_off",
        what="one-off payment",
        start=start,
        end=end,
        reference=reference,
        rate=0,
        flat=100,
    )
