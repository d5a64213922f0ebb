"""The second factor: mandatory for staff before any back-office page, optional for citizens;
codes work once, guessing is slowed down, recovery codes work once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from civitas.accounts import totp
from civitas.accounts.models import RecoveryCode, TOTPDevice
from civitas.accounts.testing import code_for, sign_in_staff
from civitas.audit.models import AuditEvent
from civitas.demo.catalogue import DEMO_PASSWORD

SETUP = reverse("accounts:mfa_setup")
VERIFY = reverse("accounts:mfa_verify")


def secret_on(page) -> str:
    return re.search(r'class="civitas-secret"[^>]*>([A-Z2-7 ]+)<', page.content.decode()).group(1)


def enrol(client) -> tuple[str, list[str]]:
    secret = secret_on(client.get(SETUP)).replace(" ", "")
    done = client.post(SETUP, {"code": totp.totp(secret)})
    assert done.status_code == 302, done.content.decode()[:500]
    codes = re.findall(
        r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", client.get(done.url).content.decode()
    )
    return secret, codes


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/staff/", "/admin/", "/benefits/", "/applications/"])
def test_staff_reach_nothing_before_setting_up_the_app(client, caseworker, path):
    client.force_login(caseworker)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(SETUP + "?next=")


@pytest.mark.django_db
def test_staff_enrol_at_first_sign_in_then_pass_the_code_each_session(client, caseworker):
    first = client.post(
        reverse("accounts:login"),
        {"username": caseworker.email, "password": DEMO_PASSWORD, "next": "/staff/"},
    )
    assert first.url == f"{SETUP}?next=%2Fstaff%2F"
    setup_page = client.get(first.url).content.decode()
    assert (
        "otpauth://totp/Civitas:caseworker%40demo.civitas.example?secret="
        in setup_page.replace("&amp;", "&")
        or "otpauth://totp/Civitas:caseworker@demo.civitas.example?secret=" in setup_page
    )
    wrong = client.post(first.url, {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    secret, codes = enrol(client)
    assert len(codes) == 10
    assert client.get("/staff/").status_code == 200

    other = Client()
    again = other.post(
        reverse("accounts:login"), {"username": caseworker.email, "password": DEMO_PASSWORD}
    )
    assert again.url.startswith(VERIFY)
    assert other.get("/staff/").status_code == 302
    assert "The code is not right" in other.post(VERIFY, {"code": "000000"}).content.decode()
    device = TOTPDevice.objects.get(user=caseworker)
    ok = other.post(VERIFY, {"code": code_for(secret, after=device.last_used_step)})
    assert ok.status_code == 302
    assert other.get("/staff/").status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts:mfa:enrolled", "accounts:mfa:passed", "accounts:mfa:failed"} <= actions


@pytest.mark.django_db
def test_a_code_works_once(client, caseworker):
    sign_in_staff(client, caseworker)
    device = TOTPDevice.objects.get(user=caseworker)
    used = totp.hotp(device.secret, device.last_used_step)
    second = Client()
    second.force_login(caseworker)
    response = second.post(VERIFY, {"code": used})
    assert "The code is not right" in response.content.decode()
    assert second.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_guessing_is_stopped_after_five_wrong_codes(client, caseworker):
    sign_in_staff(client, caseworker)
    device = TOTPDevice.objects.get(user=caseworker)
    guesser = Client()
    guesser.force_login(caseworker)
    for _ in range(5):
        guesser.post(VERIFY, {"code": "123456"})
    right = code_for(device.secret, after=device.last_used_step)
    response = guesser.post(VERIFY, {"code": right})
    assert "too many wrong codes" in response.content.decode()
    assert guesser.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, caseworker):
    client.force_login(caseworker)
    _, codes = enrol(client)
    lost_phone = Client()
    lost_phone.force_login(caseworker)
    recovery = reverse("accounts:mfa_recovery")
    ok = lost_phone.post(recovery, {"code": codes[0].upper().replace("-", " ")})
    assert ok.status_code == 302 and lost_phone.get("/staff/").status_code == 200
    again = Client()
    again.force_login(caseworker)
    refused = again.post(recovery, {"code": codes[0]})
    assert "used before" in refused.content.decode()
    assert RecoveryCode.objects.filter(user=caseworker, used_at__isnull=True).count() == 9


@pytest.mark.django_db
def test_staff_cannot_turn_the_app_off(client, caseworker):
    sign_in_staff(client, caseworker)
    assert client.get(reverse("accounts:mfa_turn_off")).status_code == 404
    assert TOTPDevice.objects.filter(user=caseworker).exists()


@pytest.mark.django_db
def test_citizens_choose_to_add_the_app(client, citizen):
    client.post(reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD})
    assert client.get(reverse("applications:mine")).status_code == 200, "optional for citizens"
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Set up an authenticator app" in account
    secret, _ = enrol(client)

    client.post(reverse("accounts:logout"))
    signed = client.post(
        reverse("accounts:login"), {"username": citizen.email, "password": DEMO_PASSWORD}
    )
    assert signed.url.startswith(VERIFY)
    assert client.get(reverse("applications:mine")).status_code == 302
    device = TOTPDevice.objects.get(user=citizen)
    client.post(VERIFY, {"code": code_for(secret, after=device.last_used_step)})
    assert client.get(reverse("applications:mine")).status_code == 200


@pytest.mark.django_db
def test_citizens_can_turn_the_app_off_with_a_code(client, citizen):
    client.force_login(citizen)
    secret, _ = enrol(client)
    device = TOTPDevice.objects.get(user=citizen)
    wrong = client.post(reverse("accounts:mfa_turn_off"), {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    off = client.post(
        reverse("accounts:mfa_turn_off"), {"code": code_for(secret, after=device.last_used_step)}
    )
    assert off.url == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=citizen).exists()
    assert not RecoveryCode.objects.filter(user=citizen).exists()
    assert client.get(reverse("applications:mine")).status_code == 200


@pytest.mark.django_db
def test_the_helper_signs_the_same_staff_in_several_times(caseworker):
    clients = [Client() for _ in range(2)]
    for each in clients:
        sign_in_staff(each, caseworker)
    assert all(each.get("/staff/").status_code == 200 for each in clients)


@pytest.mark.django_db
def test_the_staff_client_fixture_reaches_the_back_office(staff_client):
    assert staff_client.get("/staff/").status_code == 200
