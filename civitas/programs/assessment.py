"""The bridge between applications and the rules engine.

A programme version stores its rules folder as ``{path: text}``; ``rules_for`` loads it once per
version (and content) and keeps it. What a person tells us, and what the registry holds about their
household, is gathered as *facts* (``formspec.FACTS``), turned into one household situation in the
engine's OpenFisca-style format, and computed with an explanation. ``plain_explanation`` turns the
engine's explanation tree into sentences a person can read, each with its legal reference.

Three callers: the eligibility checker (anonymous, facts from a few questions), the pre-assessment
of an application (registry household, overridden by the answers), and the public API.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from civitas import rules
from civitas.programs.formspec import FormSpec, is_blank, parse_spec
from civitas.programs.models import ProgramVersion

logger = logging.getLogger(__name__)

# Registry region codes that the rules call by another name (the demo country's capital district is
# the "central" region of the housing rules).
REGION_ALIASES = {"capital": "central"}
YOU = "you"
_ANONYMOUS_BIRTH = date(1985, 1, 1)  # an adult of working age when the checker does not ask
_OTHER_ADULT_BIRTH = date(1985, 1, 1)
_CACHE_SIZE = 32


# --- loading rules once per version ----------------------------------------------------------------
_cache: OrderedDict[tuple[int | None, str], rules.Programme] = OrderedDict()
_cache_lock = threading.Lock()


def rules_for(version: ProgramVersion) -> rules.Programme:
    """The loaded programme of ``version``; loaded once per version and content, then reused.

    Raises ``rules.ProgrammeError`` when the stored folder does not load."""
    digest = hashlib.sha256(json.dumps(version.rules, sort_keys=True).encode()).hexdigest()
    key = (version.pk, digest)
    with _cache_lock:
        programme = _cache.get(key)
        if programme is not None:
            _cache.move_to_end(key)
            return programme
    programme = rules.load_from_mapping(version.rules, default_name=version.program.slug)
    with _cache_lock:
        _cache[key] = programme
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return programme


# --- facts about a household -----------------------------------------------------------------------
@dataclass
class Member:
    id: str
    role: str  # "adult" or "child"
    birth: date
    sex: str = ""
    income: Decimal = Decimal(0)
    pregnant: bool = False


@dataclass
class HouseholdFacts:
    members: list[Member] = field(default_factory=list)
    rent: Decimal = Decimal(0)
    region: str = ""

    @property
    def you(self) -> Member:
        return next(m for m in self.members if m.id == YOU)


def anonymous_household() -> HouseholdFacts:
    return HouseholdFacts(members=[Member(YOU, "adult", _ANONYMOUS_BIRTH)])


def registry_household(person) -> HouseholdFacts | None:
    """The household the registry holds for ``person`` (a ``registry.Person``), seen from them."""
    from civitas.registry.selectors import household_of, members_of

    if person is None:
        return None
    facts = HouseholdFacts(members=[_member(person, YOU, "adult")])
    household = household_of(person)
    if household is None:
        return facts
    facts.rent = household.monthly_rent
    facts.region = REGION_ALIASES.get(household.region.code, household.region.code)
    counters = {"adult": 1, "child": 0}
    for membership in members_of(household):
        if membership.person_id == person.pk:
            facts.you.role = membership.role
            continue
        counters[membership.role] = counters.get(membership.role, 0) + 1
        facts.members.append(
            _member(
                membership.person,
                f"{membership.role}_{counters[membership.role]}",
                membership.role,
            )
        )
    return facts


def _member(person, member_id: str, role: str) -> Member:
    return Member(
        id=member_id,
        role=role,
        birth=person.birth_date,
        sex=person.sex,
        income=Decimal(person.monthly_income),
        pregnant=person.pregnant,
    )


def registry_facts(person) -> dict[str, Any]:
    """The facts the registry can offer for once-only pre-filling, as answers would hold them."""
    facts = registry_household(person)
    if facts is None:
        return {}
    on = date.today()
    children = [m for m in facts.members if m.role == "child" and _age(m.birth, on) < 18]
    return {
        "household_size": len(facts.members),
        "children_count": len(children),
        "household_income": f"{sum((m.income for m in facts.members), Decimal(0)):.2f}",
        "monthly_rent": f"{facts.rent:.2f}",
        "own_income": f"{facts.you.income:.2f}",
    }


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _years_before(on: date, years: int, months: int = 0) -> date:
    month_index = on.year * 12 + (on.month - 1) - years * 12 - months
    return date(month_index // 12, month_index % 12 + 1, 1)


def _decimal(value: Any) -> Decimal | None:
    if is_blank(value):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def apply_facts(base: HouseholdFacts, facts: Mapping[str, Any], *, on: date) -> HouseholdFacts:
    """``base`` with what the person told us laid over it (their answer wins over the registry)."""
    household = replace(base, members=[replace(m) for m in base.members])
    you = household.you

    if (birth := _date(facts.get("birth_date"))) is not None:
        you.birth = birth
    if facts.get("sex") in ("female", "male"):
        you.sex = facts["sex"]
    if isinstance(facts.get("pregnant"), bool):
        you.pregnant = facts["pregnant"]
    if (due := _date(facts.get("due_date"))) is not None and due >= on.replace(day=1):
        you.pregnant = True
    if (region := facts.get("region")) and isinstance(region, str):
        household.region = REGION_ALIASES.get(region, region)
    if (rent := _decimal(facts.get("monthly_rent"))) is not None:
        household.rent = rent

    def children() -> list[Member]:
        return [m for m in household.members if m.role == "child"]

    def set_children(wanted: int, *, infants: bool) -> None:
        def is_kind(m: Member) -> bool:
            months = (on.year - m.birth.year) * 12 + on.month - m.birth.month
            return (months < 12) if infants else (_age(m.birth, on) < 18)

        current = [m for m in children() if is_kind(m)]
        for extra in current[wanted:]:
            household.members.remove(extra)
        for index in range(len(current), wanted):
            birth = _years_before(on, 0, 3) if infants else _years_before(on, 8)
            kind = "infant" if infants else "child"
            household.members.append(Member(f"{kind}_declared_{index + 1}", "child", birth))

    if (count := _decimal(facts.get("children_count"))) is not None:
        set_children(max(int(count), 0), infants=False)
    if (count := _decimal(facts.get("infants_count"))) is not None:
        set_children(max(int(count), 0), infants=True)
    baby = _date(facts.get("baby_birth_date"))
    if baby is not None and baby <= on and not any(m.birth == baby for m in children()):
        household.members.append(Member("baby", "child", baby))
    if (size := _decimal(facts.get("household_size"))) is not None:
        adults = [m for m in household.members if m.role == "adult" and m.id != YOU]
        wanted_adults = max(int(size) - 1 - len(children()), 0)
        for extra in adults[wanted_adults:]:
            household.members.remove(extra)
        for index in range(len(adults), wanted_adults):
            household.members.append(
                Member(f"adult_declared_{index + 1}", "adult", _OTHER_ADULT_BIRTH)
            )
    maternity = ("pregnant", "due_date", "baby_birth_date")
    if not you.sex and any(not is_blank(facts.get(k)) for k in maternity):
        you.sex = "female"  # the maternity questions are asked of the mother

    own = _decimal(facts.get("own_income"))
    total = _decimal(facts.get("household_income"))
    if own is not None:
        you.income = own
    if total is not None:
        others = [m for m in household.members if m.id != YOU]
        if own is None:
            rest = sum((m.income for m in others), Decimal(0))
            if rest <= total:
                you.income = total - rest
            else:
                you.income = total
                for member in others:
                    member.income = Decimal(0)
        else:
            for member in others:
                member.income = Decimal(0)
            if others:
                others[0].income = max(total - own, Decimal(0))
            else:
                you.income = max(total, own)
    return household


def situation(programme: rules.Programme, household: HouseholdFacts) -> dict[str, Any]:
    """One household in the engine's OpenFisca-style situation format."""
    group = next((g for g in programme.group_entities if g.key == "household"), None)
    if group is None:
        raise rules.SituationError("the programme has no household entity")
    plural = {role.key: role.plural for role in group.roles}
    known = programme.variables
    persons: dict[str, dict[str, Any]] = {}
    roles: dict[str, list[str]] = {}
    for member in household.members:
        body: dict[str, Any] = {"birth": member.birth.isoformat(), "income": float(member.income)}
        if member.sex:
            body["sex"] = member.sex
        body["pregnant"] = member.pregnant
        persons[member.id] = {k: v for k, v in body.items() if k in known}
        role = member.role if member.role in plural else next(iter(plural))
        roles.setdefault(plural[role], []).append(member.id)
    household_body: dict[str, Any] = dict(roles)
    if "rent" in known:
        household_body["rent"] = float(household.rent)
    if "region" in known and household.region:
        household_body["region"] = household.region
    return {programme.person_entity.plural: persons, group.plural: {"household": household_body}}


# --- computing and explaining ---------------------------------------------------------------------
def assess(version: ProgramVersion, household: HouseholdFacts, *, on: date | None = None) -> dict:
    """Eligibility and amount for ``household`` this month, explained in plain language."""
    on = on or date.today()
    programme = rules_for(version)
    period = f"{on.year:04d}-{on.month:02d}"
    determination = rules.explain(
        programme, situation(programme, household), period, ["eligible", "amount"]
    )
    result = plain_explanation(determination, currency=programme.settings.currency or "")
    result["programme_version"] = version.number
    result["rules_version"] = programme.version
    return result


def facts_from_answers(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the answers tell the rules, keyed by fact name."""
    facts: dict[str, Any] = {}
    for question in spec.visible_questions(answers):
        if question.fact and not is_blank(answers.get(question.name)):
            facts[question.fact] = answers[question.name]
    return facts


def pre_assess(
    *, version: ProgramVersion, person_user=None, answers, person=None, spec: FormSpec | None = None
) -> dict | None:
    """The rules' view of an application, for the caseworker; None when it cannot be computed
    (the caseworker then decides without it, and the log says why). ``spec`` is the version's
    parsed form when the caller already has it."""
    from civitas.registry.selectors import person_for_account

    try:
        if spec is None:
            spec = parse_spec(version.form)
        if person is None and person_user is not None:
            person = person_for_account(person_user)
        base = registry_household(person) or anonymous_household()
        today = date.today()
        household = apply_facts(base, facts_from_answers(spec, answers), on=today)
        result = assess(version, household, on=today)
    except (rules.RulesError, ValueError, KeyError) as exc:
        logger.warning("pre-assessment of %s failed: %s", version, exc)
        return None
    result["source"] = "registry and answers" if person is not None else "answers"
    return result


def check_eligibility(*, version: ProgramVersion, facts: Mapping[str, Any]) -> dict | None:
    """The anonymous eligibility checker: a household built only from what the person told us."""
    today = date.today()
    try:
        household = apply_facts(anonymous_household(), facts, on=today)
        return assess(version, household, on=today)
    except (rules.RulesError, ValueError, KeyError) as exc:
        logger.warning("eligibility check of %s failed: %s", version, exc)
        return None


def _format_value(value: Any, unit: str, currency: str) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float | int | Decimal):
        number = Decimal(str(value))
        text = f"{number:,.2f}" if number != number.to_integral_value() else f"{number:,.0f}"
        if unit and unit == currency:
            return f"{text} {currency}"
        if unit == "years":
            return _("%(n)s years") % {"n": text}
        if unit == "months":
            return _("%(n)s months") % {"n": text}
        if unit == "/1":
            return f"{number * 100:.0f}%"
        return text
    return str(value)


def plain_explanation(determination: rules.Determination, *, currency: str) -> dict:
    """Sentences from the explanation tree: a headline, why (the conditions that held or failed,
    with what they were worked out from) and how much (the amounts set by law), each sentence with
    its legal reference. Only the household and the applicant ("you") are described, never other
    members one by one."""
    roots = {node.variable: node for node in determination.explanation}
    eligible_node, amount_node = roots.get("eligible"), roots.get("amount")
    eligible = bool(eligible_node.value) if eligible_node else False
    amount = float(amount_node.value) if amount_node else 0.0
    amount_text = _format_value(amount, currency, currency)
    if eligible and amount > 0:
        headline = _("You may get %(amount)s a month.") % {"amount": amount_text}
    elif eligible:
        headline = _("You may qualify, but the amount could not be worked out from your answers.")
    else:
        headline = _("You are unlikely to get this benefit.")

    seen: set[tuple[str, str]] = set()

    def describe(node: rules.Explanation, level: int, out: list[dict]) -> None:
        if node.kind == "input" and node.defaulted:
            return
        about_you = node.entity == "person"
        if about_you and (node.entity_id != YOU or (eligible and not node.value)):
            return  # other members one by one, or what does not apply to you, says nothing
        next_level = level
        key = (node.variable, node.entity_id)
        if node.label and key not in seen and node.variable not in {"eligible", "amount"}:
            seen.add(key)
            label = _("%(label)s (you)") % {"label": node.label} if about_you else node.label
            out.append(
                {
                    "text": f"{label}: {_format_value(node.value, node.unit, currency)}",
                    "reference": node.reference,
                    "level": level,
                    "held": node.held,
                }
            )
            next_level = level + 1
        if next_level <= 1:
            for child in node.children:
                describe(child, next_level, out)

    why: list[dict] = []
    if eligible_node:
        for child in eligible_node.children:
            describe(child, 0, why)
    how_much: list[dict] = []
    if amount_node and eligible:
        parameters = [n for n in amount_node.walk() if n.kind == "parameter"]
        for node in parameters:
            key = (node.variable, "")
            if key in seen:
                continue
            seen.add(key)
            how_much.append(
                {
                    "text": f"{node.label or node.variable}: "
                    f"{_format_value(node.value, node.unit, currency)}",
                    "reference": node.reference,
                    "level": 0,
                    "held": None,
                }
            )
    references = []
    for node in [eligible_node, amount_node]:
        if node is not None and node.reference and node.reference not in references:
            references.append(node.reference)
    for item in why + how_much:
        if item["reference"] and item["reference"] not in references:
            references.append(item["reference"])
    return {
        "eligible": eligible,
        "amount": round(amount, 2),
        "currency": currency,
        "period": determination.period,
        "headline": headline,
        "why": why,
        "how_much": how_much,
        "references": references,
        # one line each, for the caseworker's summary (casework/includes/assessment.html)
        "reasons": [
            f"{item['text']} ({item['reference']})" if item["reference"] else item["text"]
            for item in why + how_much
            if item["level"] == 0
        ],
    }
