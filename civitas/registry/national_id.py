"""National identification numbers of the demo country: nine digits plus a Luhn check digit.

A typing mistake in one digit, or two neighbouring digits swapped, fails the check, so the portal can
tell someone "check the number" before a wrong record is ever looked up.
"""

from __future__ import annotations


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # doubled positions, counted from the right of the payload
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def make_national_id(serial: int) -> str:
    payload = f"{serial:09d}"
    if len(payload) != 9:
        raise ValueError("serial must have at most nine digits")
    return payload + str(luhn_check_digit(payload))


def is_valid_national_id(value: str) -> bool:
    value = value.replace(" ", "")
    return len(value) == 10 and value.isdigit() and luhn_check_digit(value[:9]) == int(value[9])
