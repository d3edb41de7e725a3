"""The hash chain: `flask audit verify` proves the trail intact and names the first row that was
altered, removed or reordered; the database itself refuses to change audit rows (SECURITY.md R31)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from tests.factories import create_org, create_user


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def chains_verified(output: str) -> int:
    match = re.search(r"Audit trail intact: (\d+) chains? verified", output)
    assert match, output
    return int(match.group(1))


@pytest.fixture
def chain() -> list[AuditEvent]:
    """One organization's chain of five events, oldest first."""
    org = create_org()
    for role in Role:
        create_user(org=org, role=role)
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.organization_id == org.id).order_by(AuditEvent.seq))
    )
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    return events


def allow_tampering() -> None:
    """What a database superuser could do: switch off the append-only triggers (inside the test's transaction)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    else:
        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))


def tamper(statement: str, **params: object) -> None:
    allow_tampering()
    db.session.execute(text(statement), params)
    db.session.expire_all()


def broken_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("BROKEN")]


def assert_names_event(result, event: AuditEvent, reason: str) -> None:
    assert result.exit_code == 1
    lines = broken_lines(result)
    assert len(lines) == 1, result.output
    assert f"event id {event.id} (seq" in lines[0] and reason in lines[0], lines[0]


def test_verify_passes_on_an_intact_trail_and_counts_the_chains(app):
    before = chains_verified(verify(app).output)
    for _ in range(2):
        create_user(org=create_org())
    result = verify(app)
    assert result.exit_code == 0
    assert chains_verified(result.output) == before + 2


ALTERATIONS = {
    "summary": "UPDATE audit_event SET summary = 'Nothing happened here' WHERE id = :id",
    "changes": "UPDATE audit_event SET changes = '{}' WHERE id = :id",
    "actor": "UPDATE audit_event SET actor_id = (SELECT max(id) FROM user_account) WHERE id = :id",
}


@pytest.mark.parametrize("statement", ALTERATIONS.values(), ids=ALTERATIONS.keys())
def test_verify_names_the_event_whose_content_was_altered(app, chain, statement):
    tamper(statement, id=chain[2].id)
    assert_names_event(verify(app), chain[2], "was altered")


def test_verify_names_the_event_after_a_deleted_one(app, chain):
    tamper("DELETE FROM audit_event WHERE id = :id", id=chain[1].id)
    assert_names_event(verify(app), chain[2], "out of sequence")


def test_verify_detects_that_the_newest_events_were_deleted(app, chain):
    tamper("DELETE FROM audit_event WHERE id = :id", id=chain[-1].id)
    assert_names_event(verify(app), chain[-2], "events were removed")


def test_verify_names_the_first_event_out_of_order_after_two_are_swapped(app, chain):
    second, third = chain[1], chain[2]
    tamper("UPDATE audit_event SET seq = -1 WHERE id = :id", id=second.id)
    tamper("UPDATE audit_event SET seq = 2 WHERE id = :id", id=third.id)
    tamper("UPDATE audit_event SET seq = 3 WHERE id = :id", id=second.id)
    assert_names_event(verify(app), third, "does not link")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET summary = 'rewritten' WHERE id = :id", "DELETE FROM audit_event WHERE id = :id"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_audit_rows(chain, statement):
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement), {"id": chain[0].id})
    db.session.expire_all()
    assert db.session.get(AuditEvent, chain[0].id).summary == chain[0].summary
