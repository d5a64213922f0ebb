"""National ID numbers carry a check digit that catches the common typing mistakes."""

from hypothesis import given
from hypothesis import strategies as st

from civitas.registry.national_id import is_valid_national_id, make_national_id


@given(st.integers(min_value=0, max_value=999_999_999))
def test_every_generated_number_is_valid(serial):
    assert is_valid_national_id(make_national_id(serial))


@given(st.integers(min_value=0, max_value=999_999_999), st.integers(0, 9), st.integers(1, 9))
def test_a_single_wrong_digit_is_caught(serial, position, delta):
    number = make_national_id(serial)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_national_id(wrong)


@given(st.integers(min_value=0, max_value=999_999_999), st.integers(0, 8))
def test_two_swapped_neighbours_are_caught_unless_09_or_equal(serial, position):
    number = make_national_id(serial)
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    if a == b or {a, b} == {"0", "9"}:  # the one swap Luhn cannot see
        return
    assert not is_valid_national_id(swapped)


def test_malformed_numbers_are_invalid():
    assert not is_valid_national_id("12345")
    assert not is_valid_national_id("abcdefghij")
