"""One-time codes follow RFC 4226 and RFC 6238 exactly (their published test values)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from civitas.accounts import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_hotp_matches_rfc_4226_appendix_d():
    expected = ["755224", "287082", "359152", "969429", "338314"]
    expected += ["254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(RFC_SECRET, counter) for counter in range(10)] == expected


def test_totp_matches_rfc_6238_appendix_b_sha1():
    vectors = {
        59: "94287082",
        1111111109: "07081804",
        1111111111: "14050471",
        1234567890: "89005924",
        2000000000: "69279037",
        20000000000: "65353130",
    }
    for at, code in vectors.items():
        assert totp.hotp(RFC_SECRET, totp.time_step(at), digits=8) == code


def test_a_code_is_accepted_one_step_either_side_and_never_twice():
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = totp.time_step(now)
    assert totp.matching_step(secret, totp.totp(secret, at=now), at=now) == step
    assert totp.matching_step(secret, totp.hotp(secret, step - 1), at=now) == step - 1
    assert totp.matching_step(secret, totp.hotp(secret, step + 1), at=now) == step + 1
    assert totp.matching_step(secret, totp.hotp(secret, step - 2), at=now) is None
    assert totp.matching_step(secret, totp.totp(secret, at=now), at=now, after=step) is None
    spaced = totp.totp(secret, at=now)
    assert totp.matching_step(secret, f"{spaced[:3]} {spaced[3:]}", at=now) == step


@given(st.text(max_size=12))
def test_anything_typed_is_either_a_step_or_none(typed):
    result = totp.matching_step("JBSWY3DPEHPK3PXP", typed, at=1_800_000_000)
    assert result is None or isinstance(result, int)


def test_the_setup_uri_is_what_authenticator_apps_read():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", account="ana@example.org", issuer="Civitas")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "otpauth",
        "totp",
        "/Civitas:ana@example.org",
    )
    query = parse_qs(parts.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"] and query["issuer"] == ["Civitas"]
    assert query["digits"] == ["6"] and query["period"] == ["30"]
    assert len(totp.new_secret()) == 32  # 160 bits in base32
