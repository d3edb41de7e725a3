"""Two first audit events of a new organization's chain at the same moment (two people's first sign-ins right
after the organization was made) both succeed, one after the other, and the chain verifies.

Found by the load test: both transactions found no chain head to lock, both inserted one, and the second failed on
the key with a 500. Needs PostgreSQL (SQLite takes the write lock at the start of each request's transaction).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent, chain_key_for
from app.audit.services import record, verify_chain
from app.auth.models import Organization
from app.extensions import db
from tests.ops.conftest import PG_URL, dispose, migrated_app

pytestmark = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)")


def test_two_first_events_of_a_chain_at_once_both_land_in_order(tmp_path: Path, real_sessions, scratch_database):  # type: ignore[no-untyped-def]
    app = migrated_app(scratch_database("audit_race"), tmp_path / "exports")
    with app.app_context():
        organization = Organization(name="New county office", slug="new-county")
        db.session.add(organization)
        db.session.commit()
        org_id = organization.id
    first_flushed, errors = threading.Event(), []

    def first() -> None:
        with app.app_context():
            record("user.login", organization_id=org_id, object_type="user", object_id=None, summary="first")
            db.session.flush()  # the chain head now exists, uncommitted: the second insert must wait for it
            first_flushed.set()
            threading.Event().wait(0.5)  # hold the transaction open while the second one starts
            db.session.commit()

    def second() -> None:
        first_flushed.wait(10)
        with app.app_context():
            try:
                record("user.login", organization_id=org_id, object_type="user", object_id=None, summary="second")
                db.session.commit()
            except Exception as exc:  # the assertion below reports it
                errors.append(repr(exc))
                db.session.rollback()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        with app.app_context():
            summaries = db.session.scalars(
                select(AuditEvent.summary).where(AuditEvent.organization_id == org_id).order_by(AuditEvent.seq)
            ).all()
            assert summaries == ["first", "second"]
            assert verify_chain(chain_key_for(org_id)) is None
    finally:
        dispose(app)
