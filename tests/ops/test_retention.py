"""Retention: what is past its period is purged by one command, the rest is kept, and each purge
is recorded in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from civitas.audit.models import AuditEvent
from civitas.config.env import ConfigurationError
from civitas.ops.envconfig import retention_days
from civitas.ops.retention import purge
from civitas.security.models import SignInThrottle


def _session(expires_in: timedelta) -> str:
    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def _throttle(key: str, age: timedelta) -> None:
    row = SignInThrottle.objects.create(
        scope="account", key=key, window_started_at=timezone.now() - age
    )
    SignInThrottle.objects.filter(pk=row.pk).update(updated_at=timezone.now() - age)


@pytest.mark.django_db
def test_purge_removes_only_what_is_past_its_period_and_audits_it(settings):
    settings.CIVITAS_RETENTION_DAYS = {"signin_throttles": 2}
    expired, live = _session(timedelta(days=-1)), _session(timedelta(hours=1))
    _throttle("old", timedelta(days=3))
    _throttle("recent", timedelta(hours=5))

    counted = purge(dry_run=True)
    assert counted["sessions"] == 1 and counted["signin_throttles"] == 1
    assert Session.objects.filter(session_key=expired).exists(), "a dry run deletes nothing"

    done = purge()
    assert done["sessions"] == 1 and done["signin_throttles"] == 1
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
    assert list(SignInThrottle.objects.values_list("key", flat=True)) == ["recent"]
    event = AuditEvent.objects.get(action="ops:retention:purged")
    assert event.after["counts"]["sessions"] == 1


@pytest.mark.django_db
def test_the_purge_command_says_what_it_did(capsys):
    call_command("purge", "--dry-run")
    out = capsys.readouterr().out
    assert "sessions: would delete 0" in out and "finished_tasks" in out


def test_retention_periods_come_from_the_environment():
    assert retention_days("finished_tasks=90, sessions=0") == {"finished_tasks": 90, "sessions": 0}
    with pytest.raises(ConfigurationError, match="RETENTION_DAYS"):
        retention_days("finished_tasks=ninety")
