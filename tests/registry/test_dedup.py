"""Name similarity for duplicate search: properties that must hold for any names."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from civitas.registry.dedup import Someone, jaro_winkler, name_similarity, normalise, similar_pairs

names = st.text(alphabet=st.characters(categories=["L"]), min_size=0, max_size=20)


@given(names, names)
def test_similarity_is_symmetric_and_bounded(a, b):
    score = jaro_winkler(a, b)
    assert 0.0 <= score <= 1.0
    assert abs(score - jaro_winkler(b, a)) < 1e-9


@given(names)
def test_a_name_is_identical_to_itself(a):
    assert jaro_winkler(a, a) == 1.0


def test_accents_case_and_order_do_not_hide_a_duplicate():
    assert normalise("  Zoé  O'Neil ") == "zoe oneil"
    assert name_similarity("Zoé", "Martin", "zoe", "MARTIN") == 1.0
    assert name_similarity("Amina", "Haddad", "Haddad", "Amina") == 1.0
    assert name_similarity("Amina", "Haddad", "Aminah", "Hadad") >= 0.9
    assert name_similarity("Amina", "Haddad", "Lucas", "Silva") < 0.6


def test_only_people_born_the_same_day_are_compared():
    born = date(1990, 1, 1)
    people = [
        Someone(1, "Amina", "Haddad", born),
        Someone(2, "Amina", "Hadad", born),
        Someone(3, "Amina", "Haddad", date(1990, 1, 2)),
    ]
    assert [(m.a, m.b) for m in similar_pairs(people)] == [(1, 2)]
