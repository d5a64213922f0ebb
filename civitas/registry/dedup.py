"""Finding people who may be recorded twice.

Two rules: the same national ID (exact), and a similar name with the same date of birth (fuzzy:
Jaro-Winkler similarity of the normalised full name, also with given and family names swapped,
at or above ``NAME_THRESHOLD``). Candidates are looked for only among people born on the same day,
so the search stays cheap on a national registry.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

NAME_THRESHOLD = 0.90


def normalise(name: str) -> str:
    """Lower case, accents removed, only letters and single spaces ("Zoé  O'Neil" -> "zoe oneil")."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = [c for c in decomposed if not unicodedata.combining(c)]
    cleaned = "".join(c if c.isalpha() or c.isspace() else "" for c in "".join(letters))
    return " ".join(cleaned.casefold().split())


def jaro_winkler(a: str, b: str, *, prefix_scale: float = 0.1) -> float:
    """Similarity from 0 (nothing in common) to 1 (the same text)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_matched = [False] * len(a)
    b_matched = [False] * len(b)
    matches = 0
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not b_matched[j] and b[j] == char:
                a_matched[i] = b_matched[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    a_chars = [c for c, m in zip(a, a_matched, strict=True) if m]
    b_chars = [c for c, m in zip(b, b_matched, strict=True) if m]
    transpositions = sum(x != y for x, y in zip(a_chars, b_chars, strict=True)) / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def name_similarity(given_a: str, family_a: str, given_b: str, family_b: str) -> float:
    first = normalise(f"{given_a} {family_a}")
    straight = jaro_winkler(first, normalise(f"{given_b} {family_b}"))
    swapped = jaro_winkler(first, normalise(f"{family_b} {given_b}"))
    return max(straight, swapped)


@dataclass(frozen=True)
class Someone:
    key: object  # a person's id, or a row number in a file
    given_name: str
    family_name: str
    birth_date: date


@dataclass(frozen=True)
class Match:
    a: object
    b: object
    score: float


def similar_pairs(
    people: Iterable[Someone],
    others: Iterable[Someone] | None = None,
    *,
    threshold: float = NAME_THRESHOLD,
) -> list[Match]:
    """Pairs born the same day with similar names: within ``people`` (``others`` None), or between
    ``people`` and ``others``."""
    by_day: dict[date, list[Someone]] = defaultdict(list)
    pool = list(people)
    for person in pool if others is None else others:
        by_day[person.birth_date].append(person)
    found: list[Match] = []
    for person in pool:
        for other in by_day.get(person.birth_date, []):
            if other.key == person.key:
                continue
            if others is None and str(other.key) < str(person.key):
                continue  # each pair once
            score = name_similarity(
                person.given_name, person.family_name, other.given_name, other.family_name
            )
            if score >= threshold:
                found.append(Match(person.key, other.key, round(score, 3)))
    return found
