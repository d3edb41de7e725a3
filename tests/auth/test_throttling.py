"""R03: per-account and per-IP sign-in throttling, counted in the database."""

from __future__ import annotations

import re
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func

from app.auth.models import LoginAttempt, Role
from app.core.db import utcnow
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, create_user

WRONG = "Not-The-Right-Password-42"
ACCOUNT_LIMIT = 10  # TestingConfig.LOGIN_MAX_FAILURES_PER_ACCOUNT
IP_LIMIT = 50  # TestingConfig.LOGIN_MAX_FAILURES_PER_IP


def attempt(client, email: str, password: str, ip: str = "127.0.0.1", **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}, headers=headers
    )


def fail_times(client, email: str, times: int, ip: str = "127.0.0.1") -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert attempt(client, email, WRONG, ip).status_code == 200


def failed_rows(**where: str) -> int:
    query = db.select(func.count()).select_from(LoginAttempt).filter_by(succeeded=False, **where)
    return db.session.scalar(query) or 0


def assert_throttled(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    text = text_of(response)
    assert "Too many failed sign-in attempts" in text
    assert re.search(r"Wait \d+ minutes? and try again", text), text


def test_eleventh_attempt_is_refused_even_with_the_right_password(client, editor):
    fail_times(client, editor.email, ACCOUNT_LIMIT)
    assert_throttled(attempt(client, editor.email, PASSWORD))
    assert not is_signed_in(client)


def test_tenth_failure_does_not_lock_yet(client, editor):
    fail_times(client, editor.email, ACCOUNT_LIMIT - 1)
    assert redirect_path(attempt(client, editor.email, PASSWORD)) == "/plans"


def test_changing_the_case_of_the_email_does_not_dodge_the_account_limit(client, editor):
    for n in range(ACCOUNT_LIMIT):
        variant = editor.email.upper() if n % 2 else f" {editor.email} "
        attempt(client, variant, WRONG)
    assert_throttled(attempt(client, editor.email, PASSWORD))


def test_locking_one_account_does_not_lock_another_from_the_same_address(client, new_client, org, editor):
    other = create_user(org=org, role=Role.EDITOR)
    fail_times(client, editor.email, ACCOUNT_LIMIT)
    assert_throttled(attempt(client, editor.email, PASSWORD))
    second_browser = new_client()
    assert redirect_path(attempt(second_browser, other.email, PASSWORD)) == "/plans"
    assert is_signed_in(second_browser)


def test_failures_are_counted_in_the_database(client, editor):
    fail_times(client, editor.email, 3)
    assert failed_rows(email=editor.email) == 3
    assert failed_rows(ip_address="127.0.0.1") == 3


def test_failures_recorded_by_another_worker_count_too(client, editor):
    db.session.add_all(
        LoginAttempt(email=editor.email, ip_address="127.0.0.9", succeeded=False) for _ in range(ACCOUNT_LIMIT)
    )
    db.session.commit()
    assert_throttled(attempt(client, editor.email, PASSWORD))


def test_account_lock_lifts_after_the_fifteen_minute_window(client, editor):
    with freeze_time("2030-03-04 09:00:00") as clock:
        fail_times(client, editor.email, ACCOUNT_LIMIT)
        clock.tick(timedelta(minutes=14, seconds=59))
        assert_throttled(attempt(client, editor.email, PASSWORD))
        clock.tick(timedelta(seconds=2))
        assert redirect_path(attempt(client, editor.email, PASSWORD)) == "/plans"


def test_old_failures_outside_the_window_do_not_count(client, editor):
    with freeze_time("2030-03-04 09:00:00") as clock:
        fail_times(client, editor.email, ACCOUNT_LIMIT - 1)
        clock.tick(timedelta(minutes=16))
        fail_times(client, editor.email, ACCOUNT_LIMIT - 1)
        assert redirect_path(attempt(client, editor.email, PASSWORD)) == "/plans"


def test_one_address_trying_many_accounts_is_throttled(client, new_client, editor):
    attacker = "127.0.0.3"
    for n in range(IP_LIMIT):
        # A forged X-Forwarded-For must not give each attempt a new address (no proxy is trusted).
        response = attempt(client, f"guess{n}@agency.example", WRONG, attacker, **{"X-Forwarded-For": f"127.0.1.{n}"})
        assert response.status_code == 200
    assert failed_rows(ip_address=attacker) == IP_LIMIT
    assert_throttled(attempt(client, editor.email, PASSWORD, attacker))
    assert redirect_path(attempt(new_client(), editor.email, PASSWORD, "127.0.0.4")) == "/plans"


def test_address_lock_lifts_after_the_window(client, editor):
    attacker = "127.0.0.5"
    start = utcnow() - timedelta(minutes=15, seconds=5)
    db.session.add_all(
        LoginAttempt(email=f"guess{n}@agency.example", ip_address=attacker, succeeded=False, created_at=start)
        for n in range(IP_LIMIT)
    )
    db.session.commit()
    assert redirect_path(attempt(client, editor.email, PASSWORD, attacker)) == "/plans"


def test_a_refused_sign_in_is_audited_and_says_how_long_to_wait(client, editor):
    from app.audit.models import AuditEvent

    fail_times(client, editor.email, ACCOUNT_LIMIT)
    response = attempt(client, editor.email, PASSWORD)
    assert_throttled(response)
    assert "Wait 15 minutes" in text_of(response)
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.login_throttled")).all()
    assert len(events) == 1
    assert editor.email in events[0].summary
