"""Application reference numbers people can read out on the phone.

Crockford-style alphabet without 0/O, 1/I/L and U, so a reference is hard to mis-hear or mis-type.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(prefix: str = "CIV") -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"
